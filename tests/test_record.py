"""@record: the dataclass replacement nodelint uses to keep start-up lean."""
import pytest

from nodelint.values.record import fresh, record, replace


@record
class Target:
    path: str
    kind: str | None
    role: str = "main"
    tags: list = fresh(list)


@record(frozen=True)
class Point:
    line: int
    column: int = 1


def test_positional_keyword_and_default_arguments():
    t = Target("etc/containerd/config.toml", kind="containerd")
    assert (t.path, t.kind, t.role, t.tags) == ("etc/containerd/config.toml", "containerd", "main", [])


def test_each_instance_gets_its_own_fresh_default():
    a, b = Target("a", None), Target("b", None)
    a.tags.append("x")
    assert b.tags == []


def test_missing_and_unexpected_arguments_are_type_errors():
    with pytest.raises(TypeError, match="missing"):
        Target("a")
    with pytest.raises(TypeError, match="unexpected"):
        Target("a", None, colour="red")
    with pytest.raises(TypeError, match="takes 4 arguments"):
        Target("a", None, "main", [], "extra")


def test_equality_repr_and_replace():
    t = Target("a", "kubelet")
    assert t == Target("a", "kubelet") and t != Target("b", "kubelet")
    assert repr(t) == "Target(path='a', kind='kubelet', role='main', tags=[])"
    assert replace(t, role="dropin") == Target("a", "kubelet", "dropin")


def test_frozen_records_are_hashable_and_refuse_assignment():
    p = Point(3)
    assert {p, Point(3, 1)} == {p}
    with pytest.raises(AttributeError, match="frozen"):
        p.line = 4


def test_mutable_records_are_not_hashable():
    with pytest.raises(TypeError):
        hash(Target("a", None))


def test_fields_are_inherited():
    @record
    class Dropin(Target):
        order: int = 0

    d = Dropin("a", "kubelet", order=2)
    assert (d.role, d.order) == ("main", 2)


def test_a_hot_class_gets_a_compiled_init_that_behaves_the_same():
    @record
    class Hot:
        a: int
        b: str = "x"
        c: list = fresh(list)

    made = [Hot(i) for i in range(40)] + [Hot(1, "y", [2]), Hot(a=3, c=[4])]
    from nodelint.values import record as R
    assert Hot.__init__ is not R._init  # compiled
    assert made[39] == Hot(39, "x", []) and made[40] == Hot(1, "y", [2]) and made[41] == Hot(3, "x", [4])
    assert made[0].c is not made[1].c
    with pytest.raises(TypeError):
        Hot()


def test_identity_records_compare_by_identity():
    @record(eq=False)
    class Doc:
        text: str

    a = Doc("same")
    assert a == a and a != Doc("same") and len({a, Doc("same")}) == 2
