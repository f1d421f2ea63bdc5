"""A custom exception with its own __str__ and an attribute."""


class AppError(Exception):
    def __init__(self, message, code=17):
        super().__init__(message)
        self.code = code

    def __str__(self):
        return f"[E{self.code}] {self.args[0]}"


def fail(message):
    raise AppError(message)
