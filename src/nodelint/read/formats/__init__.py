"""One module per file format: ``load(text)`` gives a parsed document with positions,
``plan(document, edit)`` turns an Edit into text splices that touch only what they must."""


class FormatSyntaxError(Exception):
    """The text is not valid in its format; line and column are 1-based."""

    def __init__(self, message: str, line: int, column: int):
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


class UnsupportedEdit(Exception):
    """The edit cannot be made safely in this file's layout; the fix is skipped."""


SyntaxErrors = (FormatSyntaxError,)
