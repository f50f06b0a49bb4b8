"""Reads of the delivery domain: which letters a batch may hold (docs/product.md §8)."""


def letter_held_back(*, requested_by_id: int | None, approved_by_id: int | None, agent) -> bool:
    """Whether a letter must stay out of a batch that ``agent`` makes or prints again.

    No single agent can take over a member's account (docs/product.md §8): a letter an agent asked
    for by hand carries a temporary password, so the agent who asked for it never prints it. It
    goes in a batch made by another agent, or in any batch once a supervisor other than the
    requester approved it. A batch made by the scheduled command (no agent) holds it: whoever
    runs commands on the server is not one of the agents this rule is about.
    """
    if requested_by_id is None or agent is None:
        return False
    if approved_by_id is not None and approved_by_id != requested_by_id:
        return False
    return requested_by_id == agent.pk


def letter_approvable_by(*, letter, agent) -> bool:
    """Whether ``agent`` may approve ``letter`` for printing: a supervisor, not its requester."""
    return (
        letter.requested_by_id is not None
        and letter.requested_by_id != agent.pk
        and letter.approved_by_id is None
        and agent.has_perm("delivery.approve_letter")
    )
