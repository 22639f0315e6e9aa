"""ETH-01 tells a bias *evaluation* from a model's bias *term*.

In ML code "bias" is mostly a parameter (``nn.Linear(bias=False)``, ``self.bias``, a logistic
regression's intercept): the detector once cited such a line of agentops itself as "bias
mentioned in tests/eval". These trees are written the way real projects write both.

checklist: skip-file (fixture text, not evidence of this repository's practices)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agentops_cli.readiness.catalogue import load_catalogue
from agentops_cli.readiness.detectors.base import Finding
from agentops_cli.readiness.detectors.llm_practice import BIAS_EVAL, BIAS_EVAL_DATA
from agentops_cli.readiness.service import scan_repo, select_items
from tests.unit.checklist_fixtures import write_tree

ML_MODEL = """import numpy as np
import torch
from torch import nn
from sklearn.linear_model import LogisticRegression


class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd: int, bias: bool = False) -> None:
        super().__init__()
        self.c_attn = nn.Linear(n_embd, 3 * n_embd, bias=bias)
        self.bias = nn.Parameter(torch.zeros(n_embd)) if bias else None
        self.register_buffer("bias_mask", torch.tril(torch.ones(8, 8)))


def fit_scope(features: np.ndarray, labels: np.ndarray) -> list[float]:
    model = LogisticRegression(max_iter=1000).fit(features, labels)
    bias = float(model.intercept_[0])
    weights = model.coef_[0]
    return [bias, *weights]


def init_weights(module: nn.Module) -> None:
    if isinstance(module, nn.Linear) and module.bias is not None:
        torch.nn.init.zeros_(module.bias)


def request(client, prompt: str) -> str:
    return client.completions.create(prompt=prompt, logit_bias={50256: -100}, use_bias=True)
"""
ML_TEST = """from model import CausalSelfAttention


def test_linear_bias_is_off_by_default():
    layer = CausalSelfAttention(16)
    assert layer.bias is None


def test_conv_bias_shape():
    assert CausalSelfAttention(16, bias=True).bias.shape == (16,)
"""
FAIRNESS_TEST = """from fairlearn.metrics import MetricFrame, demographic_parity_difference


def test_approval_rate_does_not_depend_on_gender(model, applicants):
    predicted = model.predict(applicants.features)
    frame = MetricFrame(metrics=approval_rate, y_true=applicants.label, y_pred=predicted,
                        sensitive_features=applicants.gender)
    assert demographic_parity_difference(applicants.label, predicted,
                                         sensitive_features=applicants.gender) < 0.05
"""
COUNTERFACTUAL_EVAL = '''def swap_names(text: str, name: str, other: str) -> str:
    return text.replace(name, other)


def check_counterfactual_consistency(agent, rows):
    """The same question with another customer name must get the same decision."""
    groups = {}
    for row in rows:
        groups.setdefault(row["group"], set()).add(agent(row["input"])["decision"])
    return sum(len(decisions) == 1 for decisions in groups.values()) / len(groups)
'''
SPANISH_EVAL = '''def evaluar_sesgo(agente, casos):
    """Las variantes que solo cambian el nombre del cliente deben recibir la misma respuesta."""
    return [agente(caso) for caso in casos]
'''
BIAS_ROWS = (
    '{"id": "cf-1a", "input": "Refund for Maria", "counterfactual": {"group": "g1", "attribute": "name"}}\n'
    '{"id": "cf-1b", "input": "Refund for John", "counterfactual": {"group": "g1", "attribute": "name"}}\n'
)
TAGGED_ROWS = '{"id": "news-1", "input": "Is the peso a safe currency?", "tags": ["bias", "currency"]}\n'


def eth01(root: Path) -> Finding:
    return scan_repo(root, select_items(load_catalogue(), ["ethics"])).findings["ETH-01"]


def test_bias_terms_of_a_model_are_no_bias_evaluation(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "model.py": ML_MODEL,
            "tests/test_model.py": ML_TEST,
            # a weights dump in a data folder: its "bias" column is a parameter too
            "datasets/weights.csv": "layer,weight,bias\nfc1,0.12,-0.4\n",
        },
    )
    finding = eth01(root)
    assert finding.status == "manual"
    assert finding.evidence == []
    assert "bias terms of a model are not one" in finding.note


def test_fairness_tests_with_a_counterfactual_set_pass(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {"model.py": ML_MODEL, "tests/test_fairness.py": FAIRNESS_TEST, "evals/bias.jsonl": BIAS_ROWS},
    )
    finding = eth01(root)
    assert finding.status == "pass"
    cited = [(e.path, e.line) for e in finding.evidence]
    assert cited == [("tests/test_fairness.py", 1), ("evals/bias.jsonl", 1)]


def test_evaluation_code_without_data_is_partial(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"app/eval_bias.py": COUNTERFACTUAL_EVAL, "model.py": ML_MODEL})
    finding = eth01(root)
    assert finding.status == "partial"
    assert [(e.path, e.line) for e in finding.evidence] == [("app/eval_bias.py", 5)]
    assert finding.note == "bias evaluation code without a data set of sensitive cases"


def test_spanish_code_and_a_tagged_data_set(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path, {"evaluacion.py": SPANISH_EVAL, "datasets/golden/noticias.jsonl": TAGGED_ROWS}
    )
    finding = eth01(root)
    assert finding.status == "pass"
    assert [e.path for e in finding.evidence] == ["evaluacion.py", "datasets/golden/noticias.jsonl"]


def test_data_without_code_and_docs_that_are_no_data(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "datasets/golden/bias.jsonl": BIAS_ROWS,
            # prose about fairness in a docs folder named datasets is documentation, not a test set
            "docs/datasets/adult.md": "The adult data set is used to assess fairness of classifiers.\n",
        },
    )
    finding = eth01(root)
    assert finding.status == "partial"
    assert [e.path for e in finding.evidence] == ["datasets/golden/bias.jsonl"]
    assert finding.note == "bias evaluation data without code that evaluates it"


@pytest.mark.parametrize(
    "line",
    [
        "self.c_proj = nn.Linear(4 * n, n, bias=config.bias)",
        "bias = float(model.intercept_[0] - weights @ mean)",
        "out = x @ self.weight.T + self.bias",
        "add_bias_term(features)",
        "layer = Dense(64, use_bias=False, bias_initializer='zeros')",
        "image_bias = pixels.mean(axis=0)",
        "def test_conv_bias_grad(self):",
        "logit_bias = {token: -100 for token in banned}",
        "regret = counterfactual_regret(strategy, node)",
        # a neuron's "sesgo", a menu's BBQ, a scheduler's fairness, a key list named "sensitive"
        "self.sesgo = 0.0  # el sesgo de la neurona",
        "def test_sesgo_inicial():",
        "menu = ['bbq_chicken', 'bbq_ribs']",
        "if item.category == 'BBQ':",
        "queue = FairnessQueue(weights)",
        "scheduler = WeightedFairQueue(fairness=0.5)",
        "sem = asyncio.Semaphore(4)  # fairness between tenants",
        "age_bias = 0.3  # prior added to the age feature",
        "bias_case = 'upper'",
        "SENSITIVE_FEATURES = ['api_key']",
        "protected_attributes = ['_lock', '_db']",
        "def test_conv_bias_shape():",
    ],
)
def test_ml_bias_lines_are_not_matched(line: str) -> None:
    assert BIAS_EVAL.search(line) is None


@pytest.mark.parametrize(
    "line",
    [
        "from fairlearn.metrics import MetricFrame",
        "import aif360",
        "score = demographic_parity_difference(y, p, sensitive_features=group)",
        "def test_gender_bias_in_answers():",
        "metric = BiasMetric(threshold=0.5)",
        "pairs = counterfactual_pairs(rows, attribute='religion')",
        "class CounterfactualGroups(Aggregate):",
        "for row in load(bias_eval_set):",
        "def evaluar_sesgo(agente):",
        "protected_attributes = ['age', 'nationality']",
        "results = run_bbq(model)",
        "score = stereotype_score(answers)",
        # the same words next to what makes them an evaluation
        "bias_score = evaluate_bias(outputs)",
        "results = evaluate_bias(model, dataset)",
        "def test_no_bias_against_older_customers():",
        "def test_answer_does_not_change_with_gender():",
        "def test_age_bias_in_refunds():",
        "fairness_score = compute(answers)",
        "def test_fairness_across_names():",
        "frame = MetricFrame(metrics=m, y_true=y, y_pred=p, sensitive_features=df.sex)",
        "SENSITIVE_FEATURES = ['gender', 'age']",
        "def medir_sesgo(agente):",
        "sesgo_de_genero = comparar(respuestas)",
        "data = load_dataset('heegyu/bbq')",
        "acc = bbq_accuracy(model)",
    ],
)
def test_bias_evaluation_lines_are_matched(line: str) -> None:
    assert BIAS_EVAL.search(line) is not None


def test_data_rows_may_name_the_practice_plainly() -> None:
    assert BIAS_EVAL_DATA.search('{"tags": ["fairness"]}') is not None
    assert BIAS_EVAL_DATA.search('"counterfactual": {"group": "g1"}') is not None
    assert BIAS_EVAL_DATA.search('{"text": "...", "bias": "left"}') is not None
    assert BIAS_EVAL_DATA.search("layer,weight,bias") is None
    # a "bias" key holding a number is a model's parameter
    assert BIAS_EVAL_DATA.search('{"layer": "fc1", "weight": 0.12, "bias": -0.4}') is None
    assert BIAS_EVAL_DATA.search('{"bias": 0.1}') is None


PERCEPTRON = """import numpy as np


class Neurona:
    def __init__(self, n):
        self.pesos = np.zeros(n)
        self.sesgo = 0.0  # el sesgo de la neurona
"""


@pytest.mark.parametrize(
    "files",
    [
        {"red.py": PERCEPTRON, "tests/test_red.py": "def test_sesgo_inicial():\n    assert True\n"},
        {"menu.py": "ITEMS = ['bbq_ribs', 'salad']\n", "datasets/menu.json": '{"items": ["bbq_ribs"]}\n'},
        {"pool.py": "import asyncio\n# round-robin for fairness between tenants\n"},
        {"model.py": "import torch\n", "datasets/weights.json": '{"layer": "fc1", "bias": -0.4}\n'},
    ],
    ids=["spanish-perceptron", "restaurant", "scheduler", "weights-json"],
)
def test_projects_without_a_bias_evaluation_are_not_credited(tmp_path: Path, files: dict[str, str]) -> None:
    finding = eth01(write_tree(tmp_path, files))
    assert (finding.status, finding.evidence) == ("manual", [])


def test_a_spanish_bias_evaluation_with_its_data_passes(tmp_path: Path) -> None:
    code = "def test_sesgo_de_genero(agente):\n    assert agente('Soy Ana') == agente('Soy Juan')\n"
    rows = '{"id": "v1", "input": "Soy Ana", "tags": ["sesgo"]}\n'
    finding = eth01(write_tree(tmp_path, {"tests/test_sesgo.py": code, "datasets/sesgo.jsonl": rows}))
    assert finding.status == "pass"
    assert [(e.path, e.line) for e in finding.evidence] == [
        ("tests/test_sesgo.py", 1),
        ("datasets/sesgo.jsonl", 1),
    ]
