"""Issue 23 item 3: integers upstream declares int32 stay int32, and so does a StatefulSet's last ordinal."""

from __future__ import annotations

import pytest

from model.manifests import load_text

STS = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: db}}
spec:
  replicas: {replicas}
  serviceName: db
{ordinals}  selector: {{matchLabels: {{app: db}}}}
  template:
    metadata: {{labels: {{app: db}}}}
    spec: {{containers: [{{name: c, image: postgres}}]}}
"""


def load(replicas: int, start: int | None) -> list[str]:
    ordinals = f"  ordinals: {{start: {start}}}\n" if start is not None else ""
    return [str(e) for e in load_text(STS.format(replicas=replicas, ordinals=ordinals), "s.yaml").errors]


def test_last_ordinal_past_int32_is_refused_at_ordinals_start() -> None:
    # accepted before, then the model crashed with "ApiError: AlreadyExists: Pod default/db--1"
    assert load(3, 2147483646) == [
        "s.yaml:7: spec.ordinals.start: the last ordinal, ordinals.start + replicas - 1 = 2147483646 + 3 - 1 = "
        "2147483648, must be less than or equal to 2147483647 (pod ordinals are int32)"
    ]


@pytest.mark.parametrize("replicas, start", [(2, 2147483646), (1, 2147483647), (0, 2147483647), (3, None), (5, 0)])
def test_last_ordinal_within_int32_loads(replicas: int, start: int | None) -> None:
    assert load(replicas, start) == []


@pytest.mark.parametrize("field, line", [("replicas", 5), ("minReadySeconds", 5), ("revisionHistoryLimit", 5)])
def test_int32_fields_refuse_values_past_int32(field: str, line: int) -> None:
    text = STS.format(replicas=1, ordinals="").replace("  replicas: 1\n", f"  {field}: 2147483648\n")
    assert [str(e) for e in load_text(text, "s.yaml").errors] == [
        f"s.yaml:{line}: spec.{field}: invalid value 2147483648: out of range for a 32-bit integer"]
    assert load_text(text.replace("2147483648", "2147483647"), "s.yaml").errors == ()
