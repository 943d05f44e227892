"""The helpline's content: the bilingual answers and facts in flows/, loaded, rendered and checked.

    content = Content.load(root)          # raises ContentError, listing every error
    content.answer("wages_unpaid", "id", "HK").text
    problems = check(root)                # errors and warnings, each with file and line

Editors' guide: flows/README.md.
"""

from bot.content.content import Content, check
from bot.content.model import Answer, MenuItem, Source
from bot.content.problems import ContentError, Problem, Severity

__all__ = [
    "Answer",
    "Content",
    "ContentError",
    "MenuItem",
    "Problem",
    "Severity",
    "Source",
    "check",
]
