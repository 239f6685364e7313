"""Exports and printing: the diagram as PNG, SVG or PDF, the loss history as CSV, the answer
key as Markdown, LaTeX or HTML, and the diagram or the key on paper."""

from .controller import ExportController
from .scene import (
    ExportError,
    export_pdf,
    export_png,
    export_rect,
    export_svg,
    image_size,
    layout_dpi,
    print_scene,
    render_image,
)
from .text_exports import (
    answer_key_document,
    document_key,
    export_answer_key,
    export_loss_csv,
    for_rich_text,
    has_hidden_questions,
    key_format,
    print_answer_key,
)

__all__ = ["ExportController", "ExportError", "answer_key_document", "document_key",
           "export_answer_key", "export_loss_csv", "export_pdf", "export_png", "export_rect",
           "export_svg", "for_rich_text", "has_hidden_questions", "image_size", "key_format",
           "layout_dpi", "print_answer_key", "print_scene", "render_image"]
