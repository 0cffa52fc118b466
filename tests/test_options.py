"""Options are defined once: the memory key, the header and the CLI flags all derive from the
option objects, and a new option cannot silently miss any of them."""

from __future__ import annotations

import ast
import dataclasses
import json
from pathlib import Path

import pytest

from tests.conftest import ROOT
from translate import DecodingOptions, LoadOptions, Translator, UsageError
from translate.cli import main
from translate.commandline import FLAGS
from translate.options import GROUPS, memory_context, split_keywords

# Fields that never change a translation, and why. Any other field must change the memory key:
# a new option lands in the key unless someone argues here that it does not belong there.
NOT_OUTPUT_CHANGING = {
    "threads": "speed only",
    "source_language": "picks the model, and the model's identity is in the key",
    "routes": "the same",
    "offline": "where the model comes from, not which model (its identity is in the key)",
    "allow_pickle": "which file format may load; the folder's identity is in the key",
    "batch_size": "how sentences are grouped; each sentence is decoded on its own",
    "batch_tokens": "the same",
    "max_sentence_tokens": "changes the units, and units are keyed by their own text",
    "layout": "changes the paragraphs, and units are keyed by their own text",
    "input_format": "changes what is read, and units are keyed by their own text",
    "whole_page": "the same",
    "cache": "where the memory is",
    "glossary": "a path; the memory keys on the glossary's content (its digest), not on where it is",
    "consistent_names": "raw translations do not depend on it; sentences it changes are keyed by their names' renderings",
}


def other_value(field: dataclasses.Field, current):
    """A valid value different from ``current`` for any option field."""
    if isinstance(current, bool) or "bool" in str(field.type):
        return not current
    if "float" in str(field.type):
        return 1.5
    if "int" in str(field.type):
        return 9
    return {"backend": "transformers", "device": "cpu", "compute_type": "float32", "layout": "blocks",
            "input_format": "html", "target_language": "fr", "source_language": "zh"}.get(
        field.name, "other")


def all_fields():
    return [(group, f) for group in GROUPS for f in dataclasses.fields(group)]


@pytest.mark.parametrize("group, field", all_fields(), ids=lambda x: getattr(x, "name", ""))
def test_every_output_changing_field_is_in_the_memory_key(group, field):
    defaults = [g() for g in GROUPS]
    changed = [dataclasses.replace(g, **{field.name: other_value(field, getattr(g, field.name))})
               if isinstance(g, group) else g for g in defaults]
    same = memory_context(*defaults) == memory_context(*changed)
    assert same == (field.name in NOT_OUTPUT_CHANGING), (
        f"{field.name}: add it to the memory key, or to NOT_OUTPUT_CHANGING with the reason it cannot "
        "change a translation")


def test_every_option_has_exactly_one_flag_and_appears_in_the_header(toy_model):
    names = [f.name for _, f in all_fields()]
    assert len(names) == len(set(names))  # one name, one meaning
    assert set(FLAGS) == set(names)
    info = Translator(str(toy_model), device="cpu").info
    assert set(info) == set(names) | {"identity"}


def test_keywords_sort_into_groups_and_objects_are_kept():
    load, decoding, pipeline = split_keywords({"num_beams": 4, "device": "cpu", "guard": False})
    assert (load.device, decoding.num_beams, pipeline.guard) == ("cpu", 4, False)
    t = Translator("Helsinki-NLP/opus-mt-zh-en", num_beams=4)  # the one-liner still works, loads nothing
    assert t.decoding == DecodingOptions(num_beams=4) and t.load.model == "Helsinki-NLP/opus-mt-zh-en"
    t = Translator(load=LoadOptions(device="cpu"), decoding=DecodingOptions(length_penalty=0.5), batch_size=3)
    assert t.load.device == "cpu" and t.decoding.length_penalty == 0.5 and t.pipeline.batch_size == 3
    with pytest.raises(TypeError, match="no_such_option"):
        Translator(no_such_option=1)


@pytest.mark.parametrize("options, option", [
    ({"backend": "tensorflow"}, "backend"), ({"compute_type": "int3"}, "compute_type"),
    ({"device": "gpu"}, "device"), ({"backend": "transformers", "compute_type": "int8"}, "compute_type"),
    ({"batch_size": 0}, "batch_size"), ({"num_beams": 0}, "num_beams"), ({"layout": "pages"}, "layout"),
    ({"repetition_penalty": 0}, "repetition_penalty"), ({"max_sentence_tokens": 2}, "max_sentence_tokens"),
])
def test_bad_values_are_one_kind_of_error_naming_the_option(options, option):
    with pytest.raises(UsageError) as caught:
        Translator(**options)
    assert caught.value.option == option and caught.value.exit_code == 2
    assert "--" not in str(caught.value)  # library messages name no flag


@pytest.mark.parametrize("args, flag", [(["--backend", "x"], "--backend"), (["--compute-type", "int3"], "--compute-type"),
                                        (["--device", "gpu"], "--device"),
                                        (["--backend", "transformers", "--compute-type", "int8"], "--compute-type")])
def test_cli_names_the_flag_of_a_bad_option(args, flag, capsys, tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("", encoding="utf-8")  # even with nothing to translate, options are checked
    assert main([str(src), *args]) == 2
    err = capsys.readouterr().err
    assert flag in err and len(err.strip().splitlines()) == 1


def test_decoding_controls_reach_the_output_header(toy_model, tmp_path, capsys):
    src = tmp_path / "a.txt"
    src.write_text("三猫。四狗。\n", encoding="utf-8")
    args = [str(src), "-m", str(toy_model), "-f", "jsonl", "-q", "--no-cache", "--no-repeat-ngram-size", "2",
            "--repetition-penalty", "1.3", "--length-penalty", "0.5", "--num-beams", "3"]
    assert main(args) == 0
    header = json.loads(capsys.readouterr().out.splitlines()[0])
    assert (header["no_repeat_ngram_size"], header["repetition_penalty"], header["length_penalty"],
            header["num_beams"]) == (2, 1.3, 0.5, 3)


def test_library_errors_never_name_flags():
    """Messages raised outside the two command modules name options, not flags."""
    offenders = []
    for path in [*ROOT.glob("translate/**/*.py"), *ROOT.glob("summarize/**/*.py")]:
        if path.name in ("cli.py", "commandline.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and node.exc is not None:
                for const in ast.walk(node.exc):
                    if isinstance(const, ast.Constant) and isinstance(const.value, str) and " --" in f" {const.value}":
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_help_groups_options_in_panels_and_shows_flags_as_flags():
    from summarize.cli import main as summarize_main

    for entry in (main, summarize_main):
        text = help_text(entry)
        for panel in ("Input", "Output", "Model", "Decoding", "Cache & safety"):
            assert f"─ {panel} " in text, panel
        assert "<bool>" not in text
        for flag in ("--no-repeat-ngram-size", "--repetition-penalty", "--length-penalty", "--no-cache"):
            assert flag in text


def help_text(entry) -> str:
    import contextlib
    import io
    import os
    from unittest import mock

    out = io.StringIO()
    with contextlib.redirect_stdout(out), mock.patch.dict(os.environ, {"COLUMNS": "250"}):
        assert entry(["--help"]) == 0
    return " ".join(out.getvalue().split())


def test_registries_feed_cli_choices_and_docs():
    from summarize.formats import BRIEFING_FORMATS
    from summarize.cli import main as summarize_main
    from summarize.formats import FORMATS as DIGEST_FORMATS
    from summarize.lengths import PRESETS
    from translate.backends import BACKEND_CHOICES, BACKENDS
    from translate.output import FORMATS
    from translate.output.formats import FEED_FORMATS

    assert f"<{'|'.join(dict.fromkeys((*FORMATS, *FEED_FORMATS)))}>" in help_text(main)
    assert f"<{'|'.join(BACKEND_CHOICES)}>" in help_text(main)
    assert f"<{'|'.join(dict.fromkeys((*DIGEST_FORMATS, *BRIEFING_FORMATS)))}>" in help_text(summarize_main)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in [*FORMATS, *FEED_FORMATS, *BRIEFING_FORMATS, *BACKENDS, *DIGEST_FORMATS, *PRESETS,
                 *(f.names[-1] for f in FLAGS.values())]:
        assert f"`{name}`" in readme, f"README does not document {name}"


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, at any depth of the code (lazy imports too), made absolute."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1]) if path.name != "__init__.py" else \
        ".".join(path.relative_to(ROOT).parent.parts)
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[:len(parts) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)
    return found


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_summarize_uses_only_the_public_api_of_translate():
    private = ("translate.cli", "translate.guard", "translate.pipeline", "translate.backends", "translate.memory",
               "translate.assemble", "translate.progress")
    for path in ROOT.glob("summarize/*.py"):
        used = {m for m in imports_of(path) if m.startswith("translate")}
        bad = {m for m in used if m.startswith(private)}
        if path.name != "cli.py":
            bad |= {m for m in used if m.startswith("translate.commandline")}  # the commands' shared module
        assert not bad, f"{path.name} imports {sorted(bad)}"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                assert isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"), \
                    f"{path.name}:{node.lineno} reaches into private attribute {node.attr}"


def test_no_import_cycles_not_even_lazy_ones():
    files = [p for p in [*ROOT.glob("translate/**/*.py"), *ROOT.glob("summarize/**/*.py")]]
    modules = {module_name(p): p for p in files}
    graph = {name: {m for m in imports_of(p) if m in modules and m != name} for name, p in modules.items()}
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                raise AssertionError("import cycle: " + " → ".join(trail[trail.index(nxt):] + [nxt]))
            if nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
