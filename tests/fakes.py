"""Test doubles and generated test assets shared by tests and benchmarks."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def write_random_cross_encoder(
    model_dir: Path,
    words: Iterable[str],
    *,
    layers: int = 1,
    hidden: int = 32,
    heads: int = 2,
    max_len: int = 64,
) -> Path:
    """Write a BERT cross-encoder with RANDOM weights and a WordPiece tokenizer over ``words``.

    No cross-encoder weights are installable here: this proves the reranking plumbing
    (tests, tiny size) and measures its latency (benchmark, MiniLM-L6 size), never quality.
    """
    import torch
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    vocab = {token: i for i, token in enumerate(special + sorted(set(words) - set(special)))}
    # Built with `tokenizers` directly: transformers 5 silently ignores
    # BertTokenizerFast(vocab_file=...) and would map every word to [UNK].
    backend = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    backend.normalizer = normalizers.BertNormalizer(lowercase=True)
    backend.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    backend.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])],
    )
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_max_length=max_len,
        model_input_names=["input_ids", "token_type_ids", "attention_mask"],
    )
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=4 * hidden + 5,
        max_position_embeddings=max_len,
        initializer_range=0.5,  # large random weights: different texts get clearly different scores
    )
    config.num_labels = 1  # one relevance logit, like a real cross-encoder
    BertForSequenceClassification(config).save_pretrained(model_dir)
    tokenizer.save_pretrained(model_dir)
    return model_dir


def make_fake_chat_model(name: str = "fake", vision: bool = False) -> object:
    """Return a scripted chat model for agent-logic tests (registered via the real registry).

    ``enqueue`` one turn at a time: a text answer, tool calls, or an exception to raise after
    the text (a provider dying mid-answer). Every call's messages and tools are recorded.
    """
    from nikdesk.agent.providers.base import ChatDelta, ChatModel, ToolCall

    class _Fake(ChatModel):
        supports_vision = vision

        def __init__(self) -> None:
            self.name = name  # type: ignore[misc]
            self.turns: list[tuple[str, list[tuple[str, dict[str, object]]], Exception | None]] = []
            self.calls: list[tuple[list[dict[str, object]], list[dict[str, object]]]] = []
            self.up = True

        def enqueue(
            self,
            text: str = "",
            tool_calls: list[tuple[str, dict[str, object]]] | None = None,
            fail: Exception | None = None,
        ) -> _Fake:
            self.turns.append((text, tool_calls or [], fail))
            return self

        def available(self) -> bool:
            return self.up

        def stream_chat(self, messages, tools):  # type: ignore[no-untyped-def,unused-ignore]
            import copy

            self.calls.append((copy.deepcopy(messages), tools))
            if not self.turns:
                raise AssertionError("FakeChatModel: no scripted turn left")
            text, calls, fail = self.turns.pop(0)
            for word in text.split(" "):
                yield ChatDelta(text=word + " ")
            if fail is not None:
                raise fail
            if calls:
                yield ChatDelta(
                    tool_calls=tuple(
                        ToolCall(f"call_{len(self.calls)}_{i}", n, dict(a))
                        for i, (n, a) in enumerate(calls)
                    )
                )
                yield ChatDelta(finish="tool_calls")
            else:
                yield ChatDelta(finish="stop")

    return _Fake()


def memory_keyring_class() -> type:
    """Return an in-memory OS keyring backend class (no D-Bus session in unit tests).

    Built lazily so importing tests.fakes does not import keyring.
    """
    from keyring.backend import KeyringBackend
    from keyring.errors import PasswordDeleteError

    class MemoryKeyring(KeyringBackend):
        priority = 1

        def __init__(self) -> None:
            super().__init__()
            self.store: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.store.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.store[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            if (service, username) not in self.store:
                raise PasswordDeleteError("not found")
            del self.store[(service, username)]

    return MemoryKeyring
