"""``translate serve --engine ray``: the app as a Ray Serve deployment with 2 replicas (each its
own toy model) on a local Ray instance answers exactly as the single process does — answers,
error shapes and status codes. Needs ``ray[serve]`` (skipped without it)."""

from __future__ import annotations

import socket

import pytest

from tests.conftest import TOY_MODEL
from tests.serving import serving
from translate.options import DecodingOptions, LoadOptions, PipelineOptions
from translate.server.options import ServeOptions

ray = pytest.importorskip("ray")
serve = pytest.importorskip("ray.serve")
httpx = pytest.importorskip("httpx")
pytestmark = [pytest.mark.slow,  # a local Ray instance and two replicas start: tens of seconds
              pytest.mark.xdist_group("ray")]  # one Ray at a time, in one worker, under pytest -n

GUARD = 120.0  # seconds: a failure guard only

REQUESTS = [  # (path, json or None, form or None)
    ("/translate", {"q": "中国", "source": "zh", "target": "en"}, None),
    ("/translate", {"q": ["三猫。", "五鸟。", "中国"], "source": "auto", "target": "en"}, None),
    ("/translate", None, {"q": "三猫。", "source": "zh", "target": "en"}),
    ("/translate", {"q": "中国", "source": "zh"}, None),                       # no target: 400
    ("/translate", {"q": "中国", "source": "zh", "target": "xx-nope"}, None),  # unknown target: 400
    ("/v2/translate", {"text": ["三猫。", "中国"], "target_lang": "EN-US"}, None),
    ("/imme", {"source_lang": "zh", "target_lang": "en", "text_list": ["五鸟。"]}, None),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(url: str) -> list[tuple[int, object]]:
    with httpx.Client(base_url=url, timeout=GUARD) as client:
        out = []
        for path, body, form in REQUESTS:
            response = client.post(path, json=body) if body is not None else client.post(path, data=form)
            out.append((response.status_code, response.json()))
        return out


@pytest.fixture(scope="module")
def cluster():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    serve.shutdown()
    ray.shutdown()


def test_two_replicas_answer_as_the_single_process(cluster):
    from translate import Translator
    from translate.server.ray_serve import APP, deploy, undeploy

    with serving(Translator(str(TOY_MODEL), cache=False)) as single:
        expected = answers(single.url)
    assert expected[0] == (200, {"translatedText": "car"})

    load, pipeline = LoadOptions(model=str(TOY_MODEL), threads=1), PipelineOptions(cache=False)
    url = deploy(load, DecodingOptions(), pipeline, ServeOptions(port=free_port()), replicas=2)
    try:
        states = serve.status().applications[APP].deployments[APP].replica_states
        assert states == {"RUNNING": 2}
        assert answers(url) == expected
        assert httpx.get(f"{url}/health", timeout=GUARD).status_code == 200
    finally:
        undeploy()
    assert APP not in serve.status().applications
