"""Which words of a question can name its topic (for the off-topic rule)."""

from __future__ import annotations

from nikdesk.retrieval.hybrid import _topic_words


def test_nouns_name_the_topic_not_verbs_first_words_abbreviations_or_codes() -> None:
    assert _topic_words("Wie backe ich ein Brot?") == ["Brot"]
    assert _topic_words("Erzähl mir einen Witz.") == ["Witz"]  # a first word has a capital anyway
    assert _topic_words("Es riecht verbrannt") == []  # a symptom in verbs is no topic
    assert _topic_words("Kunde meckert, Anlage bringt zu wenig Ertrag") == ["Anlage", "Ertrag"]
    assert _topic_words("Brauche ich einen CEE Stecker oder 8N1?") == ["Stecker"]
    # a new sentence starts with a capital too; quotes and markup around a word go
    assert _topic_words("Geht das? Kann ich „Sauerteig“ nehmen…") == ["Sauerteig"]
