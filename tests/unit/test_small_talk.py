"""Messages with nothing to look up get a short reply; anything else is a question."""

import pytest

from nikdesk.agent.small_talk import KINDS, small_talk
from nikdesk.agent.texts import LANGUAGES, templates


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("Danke!", "thanks"),
        ("Hallo, danke, das hat geholfen", "thanks"),  # thanks win over the greeting
        ("Vielen Dank", "thanks"),
        ("Tschüss", "goodbye"),
        ("Bis morgen", "goodbye"),  # a goodbye, though "Morgen" greets in "Guten Morgen"
        ("Schönen Feierabend", "goodbye"),
        ("Hallo Nik", "greeting"),
        ("Guten Morgen", "greeting"),
        ("Hallo, ich habe eine Frage", "greeting"),
        ("ok", "other"),
        ("Wie geht's dir?", "other"),
        ("Was ist 2+2?", "other"),
        ("Can you help me?", "other"),
    ],
)
def test_a_message_with_nothing_to_look_up_is_small_talk(message: str, kind: str) -> None:
    assert small_talk().kind(message) == kind


@pytest.mark.parametrize(
    "message",
    [
        "Es riecht verbrannt",  # a symptom
        "Es geht nicht",
        "Kann ich das einstellen?",  # stopwords that ask something
        "Ok danke, und wie einstellen?",
        "Nein, hat nicht geholfen",  # a complaint, not thanks
        "Danke, aber das hat nicht geholfen",
        "203",  # a bare number may be an error code
        "E 8",
        "Was heißt P1=2?",
        "L1+N",
        "230/400",
        "Danke, und was heißt E15?",
        "What is a tag?",
        "",
    ],
)
def test_a_message_with_something_to_look_up_is_no_small_talk(message: str) -> None:
    assert small_talk().kind(message) == ""


def test_every_kind_of_small_talk_has_its_reply_in_every_language() -> None:
    for language in LANGUAGES:
        for kind in KINDS:
            assert templates(language)[f"small_talk_{kind}"]
