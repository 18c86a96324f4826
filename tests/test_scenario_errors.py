"""What a user sees when a scenario file or a ``--set`` override is wrong.

Every mistake must come back as one ``ScenarioError`` (exit code 2 from the
CLI) whose message names the file and the key to edit, never a traceback.
"""

from __future__ import annotations

import copy
import datetime as dt
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from typer.testing import CliRunner, Result

from sim.cli import app
from sim.scenario import Scenario, dumps, load, resolve, validate
from sim.scenario.errors import ScenarioError
from sim.scenario.load import _model_in, apply_override


def assert_user_error(result: Result, *fragments: str) -> None:
    """Exit code 2, one clean message on stderr containing every fragment, no traceback."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert result.stderr.startswith("error: "), result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, f"{fragment!r} not in:\n{result.stderr}"


WriteFile = Callable[..., Path]


# --- bad files, through `coalsim validate` ------------------------------------

PATROL = """
[[patrols]]
name = "p"
base = "Dalian"
zone = "bohai_strait"
"""

BAD_FILES: dict[str, tuple[str | bytes, list[str]]] = {
    "unknown top-level key": (
        "horizon_dayz = 30\n",
        ["horizon_dayz", "unknown key", "did you mean 'horizon_days'"],
    ),
    "unknown nested key": (
        PATROL + "sped_knots = 12\n",
        ["patrols.p.sped_knots", "unknown key", "did you mean 'speed_knots'"],
    ),
    "key in capitals": (
        "HORIZON_DAYS = 90\n",
        ["HORIZON_DAYS", "unknown key", "did you mean 'horizon_days'"],
    ),
    "misspelt pressured destination": (
        '[displacement]\npressured_destinations = ["Lianyungan"]\n',
        ["displacement.pressured_destinations[0]", "did you mean 'Lianyungang'"],
    ),
    "wrong type": (
        'horizon_days = "long"\n',
        ["horizon_days", "valid number", "'long'"],
    ),
    # values of the wrong kind are reported, never converted (strict validation)
    "switch for a number": ("horizon_days = true\n", ["horizon_days", "valid number", "true"]),
    "quoted number": ('horizon_days = "90"\n', ["horizon_days", "valid number", "'90'"]),
    "switch for a seed": ("seed = true\n", ["seed", "valid integer", "true"]),
    "fraction for a count": (PATROL + "vessels = 2.5\n", ["patrols.p.vessels", "integer"]),
    "word for a switch": (
        '[adaptation]\nenabled = "false"\n',
        ["adaptation.enabled", "expected true or false", "unquoted", "'false'"],
    ),
    "number for a switch": ("[adaptation]\nenabled = 1\n", ["adaptation.enabled", "boolean"]),
    # the name becomes the results folder's: never "." or ".." or a path
    "name that climbs out of results/": ('name = ".."\n', ["name", "starting with a letter"]),
    "name with a path": ('name = "a/b"\n', ["name", "expected letters, digits", "'a/b'"]),
    "negative speed": (
        PATROL + "speed_knots = -3\n",
        ["patrols.p.speed_knots", "greater than or equal to 1", "-3"],
    ),
    "route over land": (
        """
[[routes]]
name = "over_shandong"
origin = "Nampo"
destination = "Lianyungang"
via = ["taedong_mouth", "bohai_strait"]
""",
        [
            "routes[0].via",
            "route 'over_shandong' leg 3 (bohai_strait -> Lianyungang approach) crosses land",
        ],
    ),
    "route to a missing port": (
        """
[[routes]]
name = "nowhere"
origin = "Nampo"
destination = "Atlantis"
via = ["taedong_mouth"]
""",
        ["routes[0].destination", "port 'Atlantis' is not defined", "Lianyungang"],
    ),
    "invalid TOML": ("horizon_days = = 3\n", ["invalid TOML", "line 1"]),
    "empty file": ("", ["file is empty"]),
    "whitespace only": ("  \n\n\t\n", ["file is empty"]),
    "not UTF-8": (b"horizon_days = 30\nname = '\xff\xfe'\n", ["not a UTF-8 text file"]),
    "nested too deeply": ("horizon_days = " + "[" * 600 + "]" * 600, ["nested too deeply"]),
    "zone all on land": (
        '[[zones]]\nname = "inland"\npolygon = [[116.5, 39.95], [117.0, 39.95], [116.8, 40.3]]\n',
        ["zones[0].polygon", "zone 'inland' has no sea inside it"],
    ),
    "policy changing the market's kind": (
        '[[policy]]\nday = 100\nset = { "market.kind" = "fixed" }\n',
        ["policy[0].set.market.kind", "set up at the start", "cannot change market.kind"],
    ),
    "policy changing the horizon": (
        '[[policy]]\nday = 100\nset = { "horizon_days" = 30 }\n',
        ["policy[0].set.horizon_days", "policy may change only patrols"],
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_is_one_clear_error(case: str, write: WriteFile, runner: CliRunner) -> None:
    content, fragments = BAD_FILES[case]
    path = write(content)
    result = runner.invoke(app, ["validate", str(path)])
    assert_user_error(result, f"error: {path}: ", *fragments)
    assert "ok:" not in result.output


def test_route_over_land_is_reported_alongside_other_problems(write: WriteFile) -> None:
    # Replacing the route list orphans the default sellers' routes; the land
    # crossing must still be reported in the same message, not after a fix.
    content, _ = BAD_FILES["route over land"]
    with pytest.raises(ScenarioError) as e:
        load(write(content))
    msg = str(e.value)
    assert "sellers[0].routes[0]: route 'nampo-dalian' is not defined" in msg
    assert "routes[0].via: route 'over_shandong' leg 3" in msg


def test_a_sweep_file_is_not_taken_for_a_scenario(write: WriteFile, runner: CliRunner) -> None:
    path = write('[design]\nkind = "grid"\n')
    result = runner.invoke(app, ["show", str(path)])
    assert_user_error(result, "this is a sweep file", "run it with `coalsim sweep`")


def test_a_sweep_file_as_base_is_the_scenarios_mistake(tmp_path: Path, runner: CliRunner) -> None:
    (tmp_path / "sweep.toml").write_text('[design]\nkind = "grid"\n')
    path = tmp_path / "variant.toml"
    path.write_text('base = "sweep.toml"\n')
    result = runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "out")])
    assert_user_error(result, f"error: {path}: base: 'sweep.toml' is a sweep file")
    assert "coalsim sweep" not in result.stderr  # the user never meant to run the base
    assert not (tmp_path / "out").exists()


def test_missing_file(tmp_path: Path, runner: CliRunner) -> None:
    path = tmp_path / "nope.toml"
    assert_user_error(runner.invoke(app, ["validate", str(path)]), f"{path}: file not found")


def test_directory(tmp_path: Path, runner: CliRunner) -> None:
    assert_user_error(
        runner.invoke(app, ["validate", str(tmp_path)]), f"{tmp_path}: is a directory"
    )


def test_whole_numbers_are_numbers_and_pairs_are_arrays() -> None:
    """Strict validation still takes an integer where a number is asked for, and a
    zone's [lon, lat] vertices as TOML arrays."""
    text = (
        "horizon_days = 90\n[[zones]]\nname = 'box'\n"
        "polygon = [[121, 34], [122, 34], [122, 35.5], [121, 35.5]]\n"
    )
    s = validate(tomllib.loads(text), "ints.toml")
    assert s.horizon_days == 90.0 and isinstance(s.horizon_days, float)
    assert s.zones[0].polygon[0] == (121.0, 34.0)


def test_minimal_file_uses_the_default_world(write: WriteFile, runner: CliRunner) -> None:
    path = write("horizon_days = 30\n")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    resolved = load(path)
    assert resolved.scenario.horizon_days == 30
    assert {p.name for p in resolved.scenario.ports} >= {"Nampo", "Dalian", "Lianyungang"}
    assert set(resolved.geography.routes) == {r.name for r in resolved.scenario.routes}


def test_byte_order_mark_is_accepted(write: WriteFile) -> None:
    path = write("\ufeffhorizon_days = 30\n")
    assert load(path).scenario.horizon_days == 30


def test_long_values_are_shortened_in_messages(write: WriteFile) -> None:
    with pytest.raises(ScenarioError) as e:
        load(write(f'name = "{"x" * 5000}"\n'))
    assert "name: String should have at most 80 characters" in str(e.value)
    assert len(str(e.value)) < 400


# --- --set overrides ------------------------------------------------------------


@pytest.fixture
def base(write: WriteFile) -> Path:
    return write("horizon_days = 100\n")


def test_valid_overrides_change_the_resolved_scenario(base: Path) -> None:
    s = load(
        base,
        [
            "horizon_days=30",
            "patrols.bohai_strait_patrol.vessels=4",
            "sellers.0.lot_interval_days=2",
            "name=my run",
        ],
    ).scenario
    default = load(base).scenario
    assert s.horizon_days == 30
    assert next(p for p in s.patrols if p.name == "bohai_strait_patrol").vessels == 4
    assert s.sellers[0].lot_interval_days == 2
    assert s.name == "my run"
    # nothing else moved
    changed = s.model_copy(
        update={
            "horizon_days": default.horizon_days,
            "name": default.name,
            "patrols": default.patrols,
            "sellers": default.sellers,
        }
    )
    assert changed == default


BAD_OVERRIDES: dict[str, list[str]] = {
    "horizon_dayz=30": ["horizon_dayz", "unknown key", "did you mean 'horizon_days'"],
    "detection.recognition_prob=0.5": [
        "detection.recognition_prob",
        "did you mean 'recognition_probability'",
    ],
    "patrols.bohai_strait_patrol.vesels=4": [
        "patrols.bohai_strait_patrol.vesels",
        "did you mean 'vessels'",
    ],
    "patrols.bohai_patrol.vessels=4": [
        "no entry named 'bohai_patrol' in patrols",
        "did you mean 'bohai_strait_patrol'",
    ],
    "sellers.7.vessels=1": [f"sellers has {len(Scenario().sellers)} entries, no [7]"],
    "horizon_days=-1": ["horizon_days", "greater than 0", "-1"],
    "horizon_days=nan": ["horizon_days", "finite number"],
    "replications=two": ["replications", "valid integer", "'two'"],
    "horizon_days": ["--set 'horizon_days'", "expected key.path=value"],
    "=3": ["empty key path"],
    "sellers..vessels=3": ["empty key path"],
    "horizon_days.max=3": ["horizon_days is a single value, not a table"],
    "contrakt.fine_rmb=3": ["no key 'contrakt' in the top level", "did you mean 'contract'"],
    "tips=3": ["tips: expected a table of keys (got 3)"],  # no pydantic class names
    "ports=3": ["ports: expected a list (got 3)"],
    "adaptation.enabled=True": ["adaptation.enabled", "expected true or false", "lowercase"],
    "displacement.pressured_destinations=Lianyungang": [
        "expected a list, written as in TOML",
        "'Lianyungang'",
    ],
    "displacement.change_day=3000": ["displacement.change_day", "not before horizon_days"],
    "sellers.0.route_weights=[1e308, 1e308, 1]": ["route_weights[0]", "less than or equal"],
}


@pytest.mark.parametrize("item", list(BAD_OVERRIDES))
def test_bad_override_is_a_clear_error(item: str, base: Path) -> None:
    with pytest.raises(ScenarioError) as e:
        load(base, [item])
    for fragment in BAD_OVERRIDES[item]:
        assert fragment in str(e.value)


@pytest.mark.parametrize("item", list(BAD_OVERRIDES))
def test_bad_override_via_cli_show(item: str, base: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["show", str(base), "--set", item])
    assert_user_error(result, *BAD_OVERRIDES[item])
    assert result.stdout == ""


def test_value_errors_after_override_name_the_file_and_the_override(base: Path) -> None:
    with pytest.raises(ScenarioError) as e:
        load(base, ["horizon_days=-1"])
    assert str(e.value).startswith(f"{base} with --set horizon_days=-1: horizon_days: ")


def test_cross_check_errors_after_override_name_the_override_too(base: Path) -> None:
    """The file alone is valid: the message must not blame it without the --set."""
    item = "contract.price_rmb_per_tonne_min=500"
    with pytest.raises(ScenarioError) as e:
        load(base, [item])
    assert str(e.value).startswith(f"{base} with --set {item}: contract.price_rmb_per_tonne_min")


# --- property: nothing but ScenarioError ever escapes ---------------------------

DEFAULT_DUMP: dict[str, Any] = Scenario().model_dump(mode="json", exclude_none=True)


def _collect(node: Any, out: dict[str, list[Any]]) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            if v is not None:
                out.setdefault(k, []).append(v)
            _collect(v, out)
    elif isinstance(node, list):
        for v in node:
            _collect(v, out)


PLAUSIBLE: dict[str, list[Any]] = {}
_collect(DEFAULT_DUMP, PLAUSIBLE)
KEYS = [*sorted(PLAUSIBLE), "transfer_at", "transfer_hours", "route_weights", "bogus"]
NAMES = sorted({v for v in PLAUSIBLE["name"] + PLAUSIBLE["port"] if isinstance(v, str)})

scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(),
    st.text(max_size=12),
    st.sampled_from(NAMES),
    st.dates(min_value=dt.date(1, 1, 1)),
)
anything = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


def _table(model: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    """A dict with some of ``model``'s keys (and now and then a stray one), random values."""
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for key, field in model.model_fields.items():
        sub = _model_in(field.annotation)
        values: st.SearchStrategy[Any] = anything
        if key in PLAUSIBLE:
            values = st.sampled_from(PLAUSIBLE[key]) | values
        if sub is not None:
            nested = st.deferred(lambda sub=sub: _table(sub))
            values = st.lists(nested, max_size=3) | nested | values
        optional[key] = values
    optional["bogus"] = anything
    return st.fixed_dictionaries({}, optional=optional)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for k, v in items:
        out += _paths(v, (*prefix, k))
    return out


PATHS = _paths(DEFAULT_DUMP)


def _choices(path: tuple[Any, ...]) -> list[Any]:
    """Values seen in the default world under the same key (or in the same list)."""
    *parents, last = path
    if isinstance(last, str):
        return PLAUSIBLE.get(last, [])
    if parents and isinstance(parents[-1], str):
        return [x for v in PLAUSIBLE.get(parents[-1], []) if isinstance(v, list) for x in v]
    return []


@st.composite
def mutated_defaults(draw: st.DrawFn) -> dict[str, Any]:
    """The full default world with a few keys swapped for other plausible or random values.

    These mostly pass the schema, so they exercise the cross-section checks and
    route tracing, not just pydantic.
    """
    doc = copy.deepcopy(DEFAULT_DUMP)
    for path in draw(st.lists(st.sampled_from(PATHS), min_size=1, max_size=3)):
        *parents, last = path
        node: Any = doc
        try:
            for part in parents:
                node = node[part]
            node[last]  # still there after earlier mutations?
        except (KeyError, IndexError, TypeError):
            continue
        if draw(st.integers(0, 9)) == 0:
            del node[last]
            continue
        choices = _choices(path)
        plausible = st.sampled_from(choices) if choices else anything
        node[last] = copy.deepcopy(draw(st.one_of(plausible, plausible, plausible, anything)))
    return doc


documents = st.one_of(_table(Scenario), mutated_defaults(), mutated_defaults())
toml_lines = st.lists(
    st.tuples(
        st.sampled_from(KEYS), st.sampled_from(["=", " = ", ".", "[", "[["]), st.text(max_size=20)
    ).map("".join),
    max_size=6,
).map("\n".join)

FAST = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _only_scenario_errors(path: Path, content: bytes) -> None:
    path.write_bytes(content)
    try:
        load(path)
    except ScenarioError as e:
        assert str(e).startswith(str(path)), str(e)


@settings(FAST, max_examples=40)
@given(content=st.binary(max_size=200))
def test_random_bytes_only_raise_scenario_error(content: bytes, tmp_path: Path) -> None:
    _only_scenario_errors(tmp_path / "random.toml", content)


@settings(FAST, max_examples=40)
@given(text=st.text(max_size=200) | toml_lines)
def test_random_text_only_raises_scenario_error(text: str, tmp_path: Path) -> None:
    _only_scenario_errors(tmp_path / "random.toml", text.encode("utf-8", "surrogatepass"))


@settings(FAST, max_examples=90)
@given(doc=documents)
def test_random_documents_only_raise_scenario_error(doc: dict[str, Any], tmp_path: Path) -> None:
    try:
        validated = validate(doc, "<doc>")
        resolve(validated, "<doc>")
    except ScenarioError as e:
        assert str(e).startswith("<doc>: "), str(e)
    _only_scenario_errors(tmp_path / "random.toml", tomli_w.dumps(doc).encode())


@settings(FAST, max_examples=30)
@given(
    path=st.lists(
        st.sampled_from(KEYS) | st.sampled_from(NAMES) | st.sampled_from("0123"),
        min_size=1,
        max_size=4,
    ).map(".".join)
    | st.text(max_size=20),
    value=st.text(max_size=12) | st.sampled_from(["3", "-1", "[1, 2]", "true", "'x'", "{a=1}"]),
)
def test_random_overrides_only_raise_scenario_error(path: str, value: str, tmp_path: Path) -> None:
    data = Scenario().model_dump(mode="json")
    try:
        apply_override(data, f"{path}={value}")
        resolve(validate(data, "<override>"), "<override>")
    except ScenarioError:
        pass


# --- round trip -----------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [
        [],
        [
            "horizon_days=30",
            "patrols.bohai_strait_patrol.vessels=4",
            "patrols.jiangsu_patrol.transit_hours=7.5",
            "sellers.0.lot_interval_days=2",
            "sellers.nampo_state_corp.route_weights=[1, 2, 0.5]",
            "routes.nampo-yantai.transfer_at=changsan_cape",
            "routes.nampo-yantai.transfer_hours=12",
            'description=a "quoted" line',
            "seed=9223372036854775807",
        ],
    ],
    ids=["default", "overrides"],
)
def test_dumps_loads_back_equal(overrides: list[str], write: WriteFile) -> None:
    original = load(write("horizon_days = 365\n"), overrides).scenario
    text = dumps(original)
    assert Scenario.model_validate(tomllib.loads(text)) == original
    assert load(write(text, "dumped.toml")).scenario == original
    if overrides:
        assert original != Scenario()


def test_comment_only_file_is_rejected_like_an_empty_one(runner, write) -> None:
    path = write("# nothing but a comment\n", name="comments.toml")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "comments.toml" in result.stderr and "no keys" in result.stderr


def test_an_unquoted_dotted_key_in_set_changes_that_key_alone(write: WriteFile) -> None:
    """TOML reads ``enforcement.sentence_days = 7`` as a nested table; the rest of the
    base's section must stay as it was, not fall back to the defaults."""
    base = write("[enforcement]\nfine_rmb = 5.0\nsentence_days = 30.0\n", "base.toml")
    variant = write(f'base = "{base.name}"\n[set]\nenforcement.sentence_days = 7.0\n', "v.toml")
    e = load(variant).scenario.enforcement
    assert (e.fine_rmb, e.sentence_days) == (5.0, 7.0)
