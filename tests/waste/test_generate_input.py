"""The generate body: its shortcut for plain bodies answers exactly as the declared fields do."""

from hypothesis import given
from hypothesis import strategies as st

from waste.models import WASTE_TYPES
from waste.serializers.inputs import AMOUNT_MAX, AmountsInputSerializer, GenerateInputSerializer


class FieldByFieldGenerateSerializer(GenerateInputSerializer):
    """GenerateInputSerializer validated by its declared fields only (no shortcut)."""

    def to_internal_value(self, data: object) -> dict:
        return AmountsInputSerializer.to_internal_value(self, data)


def outcome(serializer_class: type, body: object) -> tuple:
    serializer = serializer_class(data=body)
    if serializer.is_valid():
        return True, list(serializer.validated_data.items())
    return False, serializer.errors


AMOUNTS = st.one_of(
    st.integers(min_value=0, max_value=AMOUNT_MAX),
    st.sampled_from([-1, AMOUNT_MAX + 1, 0, True, False, 2.5, 3.0, "4", None]),
)
BODIES = st.one_of(
    st.dictionaries(st.sampled_from([*WASTE_TYPES, "metal"]), AMOUNTS, max_size=4),
    st.sampled_from([[], "plastic", 5, None]),
)


@given(BODIES)
def test_the_shortcut_answers_as_the_declared_fields(body):
    assert outcome(GenerateInputSerializer, body) == outcome(FieldByFieldGenerateSerializer, body)


def test_plain_bodies_come_back_in_field_order():
    serializer = GenerateInputSerializer(data={"plastic": 3, "bio": 0, "glass": AMOUNT_MAX})
    assert serializer.is_valid()
    assert list(serializer.validated_data.items()) == [("bio", 0), ("glass", AMOUNT_MAX), ("plastic", 3)]
