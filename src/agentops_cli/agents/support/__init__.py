"""The customer-support agent: guard → classify → retrieve → answer → decide_escalation.

The domain (intents, knowledge base, policy) comes from a *pack* (see ``pack.py``);
the code here is domain-free.
"""
