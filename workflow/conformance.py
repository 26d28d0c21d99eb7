"""Where a policy departs from the Housing Ombudsman's Complaint Handling Code 2024.

The Code is the statutory floor for social landlords in England, so a policy may be stricter
(shorter windows) without departing from it; looser or missing steps are departures.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from workflow.policy import Policy, Stage

CODE_STAGES = 2
CODE_TIME_LIMIT_MONTHS = 12
CODE_EXCLUSIONS = ("out_of_time", "legal_proceedings", "already_considered")
# Per stage: acknowledge within N WD of receipt/request; respond within N WD of that
# acknowledgement; extension at most N WD.
CODE_ACKNOWLEDGE_DAYS = {1: 5, 2: 5}
CODE_RESPOND_DAYS = {1: 10, 2: 20}
CODE_MAX_EXTENSION_DAYS = {1: 10, 2: 20}


@dataclass(frozen=True)
class Departure:
    code: str  # stable kebab-case name
    severity: str  # "departure" (breaks the Code) or "note" (allowed, but worth knowing)
    message: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def _latest_response_day(stage: Stage) -> int:
    """Working days from the stage's start to its response when every step takes its limit."""
    if stage.respond_from == "acknowledgement":
        return (stage.acknowledge_days or 0) + stage.respond_days
    return stage.respond_days


def _check_stage(policy: Policy, stage: Stage, code_stage: int) -> list[Departure]:
    found: list[Departure] = []
    where = f"stage {stage.number} ({stage.name})"
    code_ack = CODE_ACKNOWLEDGE_DAYS[code_stage]
    if stage.acknowledge_days is None:
        found.append(Departure(
            "no-acknowledgement", "departure",
            f"{where} has no acknowledgement step; the Code requires one within {code_ack} "
            "working days"))
    elif stage.acknowledge_days > code_ack:
        found.append(Departure(
            "slow-acknowledgement", "departure",
            f"{where} acknowledges within {stage.acknowledge_days} working days; the Code "
            f"allows {code_ack}"))
    code_latest = code_ack + CODE_RESPOND_DAYS[code_stage]
    latest = _latest_response_day(stage)
    if latest > code_latest:
        found.append(Departure(
            "slow-response", "departure",
            f"{where} may respond {latest} working days after it starts; the Code allows "
            f"{code_latest} ({CODE_RESPOND_DAYS[code_stage]} after a {code_ack}-day "
            "acknowledgement)"))
    if stage.max_extension_days > CODE_MAX_EXTENSION_DAYS[code_stage]:
        found.append(Departure(
            "long-extension", "departure",
            f"{where} allows extensions of {stage.max_extension_days} working days; the Code "
            f"allows at most {CODE_MAX_EXTENSION_DAYS[code_stage]}"))
    if code_stage == 2 and not stage.independent:
        found.append(Departure(
            "stage-2-not-independent", "departure",
            f"{where} is not marked as handled by a different person from stage 1"))
    return found


def check_against_code(policy: Policy) -> list[Departure]:
    """Every departure from the Code 2024, in the order the Code sets its rules out."""
    found: list[Departure] = []
    count = len(policy.stages)
    if count != CODE_STAGES:
        found.append(Departure(
            "stage-count", "departure",
            f"{count} internal stages; the Code allows exactly {CODE_STAGES} (stage 1 and "
            "stage 2), with no further internal stage"))
    for stage in policy.stages:
        # Stages past the Code's two are measured against its final stage.
        found.extend(_check_stage(policy, stage, min(stage.number, CODE_STAGES)))
    if policy.time_limit_months < CODE_TIME_LIMIT_MONTHS:
        found.append(Departure(
            "short-time-limit", "departure",
            f"complaints must be made within {policy.time_limit_months} months; the Code lets "
            f"residents complain about issues up to {CODE_TIME_LIMIT_MONTHS} months old"))
    extra = [reason for reason in policy.exclusions if reason not in CODE_EXCLUSIONS]
    if extra:
        found.append(Departure(
            "extra-exclusions", "note",
            f"refuses complaints for reasons the Code does not name: {', '.join(extra)}; "
            "each must be fair, recorded and confirmed by an officer"))
    if policy.ombudsman_after_weeks:
        found.append(Departure(
            "ombudsman-wait", "departure",
            f"residents must wait {policy.ombudsman_after_weeks} weeks after the final "
            "response before going to the Housing Ombudsman; under the Code they may go as "
            "soon as the landlord's procedure is exhausted"))
    if policy.anonymous == "accept":
        found.append(Departure(
            "anonymous-accepted", "note",
            "accepts anonymous complaints, which the Code does not address"))
    return found
