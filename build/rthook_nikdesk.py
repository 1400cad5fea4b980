"""PyInstaller runtime hook of the frozen NikDesk (runs before the app's own code).

1. Child processes get the user's library path back. The bootloader puts the bundle's own
   libraries first on LD_LIBRARY_PATH (the original is kept in LD_LIBRARY_PATH_ORIG); the
   Tesseract binary that reads photos, or xdg-open, must load the system's libraries, not
   ours. The running process is unaffected: the dynamic loader read the path at start-up.

2. ``NIKDESK_SELFCHECK=1 NikDesk`` exercises every component that loads lazily or by name
   (embedder, index, PDF ingest and rendering, OpenAI and Cohere clients, keyring backends,
   the encrypted secrets file, Tesseract, llama.cpp) inside the frozen app, prints one line
   per component and exits (0 = all usable). Hidden-import mistakes show up here, not in the
   field. Third-party modules are reached only through NikDesk's own code paths, so this hook
   adds nothing to the bundle that the app would not carry anyway.
"""

import os
import sys

if sys.platform.startswith("linux") and getattr(sys, "frozen", False):
    _orig = os.environ.pop("LD_LIBRARY_PATH_ORIG", None)
    if _orig is not None:
        os.environ["LD_LIBRARY_PATH"] = _orig
    else:
        os.environ.pop("LD_LIBRARY_PATH", None)


def _selfcheck() -> int:
    import importlib
    import shutil
    import tempfile
    import time
    import traceback
    from pathlib import Path

    tmp = Path(tempfile.mkdtemp(prefix="nikdesk-selfcheck-"))
    os.environ["NIKDESK_HOME"] = str(tmp / "home")  # never touch the user's data or keyring
    os.environ["CO_API_URL"] = "http://127.0.0.1:9"  # cohere reads it when first imported
    mod = importlib.import_module
    errors = mod("nikdesk.core.errors")
    results: list[tuple[str, str, str]] = []

    def check(name, fn, optional=False):
        started = time.perf_counter()
        try:
            detail = fn() or ""
            status = "ok"
        except errors.NikDeskError as exc:  # typed: the component is there, the environment not
            status, detail = ("skip" if optional else "FAIL"), f"{type(exc).__name__}: {exc}"
        except Exception as exc:
            status, detail = "FAIL", f"{type(exc).__name__}: {exc}"
            traceback.print_exc()
        took = time.perf_counter() - started
        results.append((status, name, f"{detail} ({took:.1f} s)"))
        print(f"{status:4}  {name:10} {detail} ({took:.1f} s)", flush=True)

    def embedder():
        emb = mod("nikdesk.retrieval.embedders").create_embedder("e5-small")
        path = mod("nikdesk.core.models").model_entry("e5-small").locate()
        inside = str(path).startswith(sys._MEIPASS)
        assert emb.embed_query("Fehler E050").shape == (384,)
        return f"{path.relative_to(sys._MEIPASS) if inside else path}"

    def index():
        retriever = mod("nikdesk.retrieval.open").open_retriever()
        hits = retriever.search("Der Wechselrichter zeigt E050 an")
        retriever.close()
        assert hits, "no hits"
        return f"{hits[0].chunk.file} S. {hits[0].chunk.page_start}"

    def ingest():
        # what "add a folder of manuals" does: parse (PDF with tables, Markdown), embed, write
        docs = mod("nikdesk.app.sample").sample_library_dir()
        pdf = next(docs.glob("*.pdf"))
        parsed = mod("nikdesk.ingest").parse_document(pdf)
        folder = tmp / "docs"
        folder.mkdir()
        for md in docs.glob("*.md"):
            shutil.copy(md, folder)
        embed = mod("nikdesk.retrieval.embedders").create_embedder("e5-small")
        report = mod("nikdesk.retrieval.build").build_index(folder, tmp / "index", embed)
        pymupdf = mod("pymupdf")
        with pymupdf.open(pdf) as doc:
            pix = doc[0].get_pixmap(dpi=50)
            tables = doc[11].find_tables()  # the default runs the layout model (onnxruntime)
        layout = "layout model" if pymupdf._get_layout else "NO layout model"
        return (
            f"PDF {parsed.page_count} pages, {len(parsed.blocks)} blocks; Markdown indexed, "
            f"{report.chunks} chunks; page 1 rendered {pix.width}x{pix.height}; "
            f"{len(tables.tables)} table(s) on p. 12 with {layout}"
        )

    def openai():
        chat = mod("nikdesk.agent.providers").create_provider(
            "openai", base_url="http://127.0.0.1:9/v1", api_key="selfcheck", timeout=2.0
        )
        try:
            list(chat.stream_chat([{"role": "user", "content": "Hallo"}], []))
        except errors.NikDeskError as exc:  # expected: nobody listens on port 9
            return f"client ok, offline as expected ({type(exc).__name__})"
        finally:
            chat.close()
        raise AssertionError("a closed port answered")

    def cohere():
        rerank = mod("nikdesk.retrieval.rerank").create_reranker("cohere", api_key="selfcheck")
        try:
            rerank.score("E050", ["a", "b"])
        except errors.Offline:
            return "client ok, offline as expected"
        raise AssertionError("a closed port answered")

    def keyring():
        secrets = mod("nikdesk.storage.secrets")
        os_ring = secrets._os_keyring()
        ring = secrets._cryptfile(tmp / "secrets.cfg")
        ring.keyring_key = "selfcheck-password"
        ring.set_password(secrets.SERVICE, "selfcheck", "geheim")
        assert ring.get_password(secrets.SERVICE, "selfcheck") == "geheim"
        found = type(os_ring).__module__ if os_ring is not None else "none (encrypted file used)"
        return f"OS keyring: {found}; encrypted file round trip ok"

    def ocr():
        image_mod = mod("PIL.Image")
        draw_mod = mod("PIL.ImageDraw")
        font_mod = mod("PIL.ImageFont")
        photo = tmp / "display.png"
        image = image_mod.new("RGB", (640, 240), (150, 170, 140))
        font_path = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
        font = font_mod.truetype(font_path, 56) if Path(font_path).exists() else None
        draw_mod.Draw(image).text((40, 80), "E050", fill=(20, 30, 20), font=font)
        image.save(photo)
        reading = mod("nikdesk.agent.photo").read_display(photo)
        assert "E050" in reading.codes, f"read {reading.text!r}"
        return f"{reading.engine}: {reading.codes}"

    def llm():
        llama_cpp = mod("llama_cpp")  # loads libllama through ctypes
        local = mod("nikdesk.agent.providers").create_provider("local")
        if not local.available():
            return f"llama.cpp {llama_cpp.__version__} loads; no GGUF bundled (--with-llm)"
        text = ""
        for delta in local.stream_chat([{"role": "user", "content": "Say hi."}], []):
            text += delta.text
        local.close()
        return f"llama.cpp {llama_cpp.__version__}, {local.label}: {text.strip()[:40]!r}"

    print(f"NikDesk self-check in {sys._MEIPASS}", flush=True)
    check("embedder", embedder)
    check("index", index)
    check("ingest", ingest)
    check("openai", openai)
    check("cohere", cohere)
    check("keyring", keyring)
    check("ocr", ocr, optional=True)  # needs the system's tesseract binary
    check("llm", llm)
    shutil.rmtree(tmp, ignore_errors=True)
    failed = [name for status, name, _ in results if status == "FAIL"]
    print("SELFCHECK " + ("OK" if not failed else "FAILED: " + ", ".join(failed)), flush=True)
    return 1 if failed else 0


if os.environ.get("NIKDESK_SELFCHECK") == "1" and getattr(sys, "frozen", False):
    os._exit(_selfcheck())  # os._exit: no Qt, no atexit handlers of half-used libraries
