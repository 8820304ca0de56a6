"""Demo data: the Lincolnshire 2018/19 picture from the seed reports (see ``load``)."""

from .figures import FIGURES

DEFAULT_PASSWORD = "demo-password-2019"  # noqa: S105 - documented demo log-in, not a secret

__all__ = ["DEFAULT_PASSWORD", "FIGURES", "load"]


def load(*, password: str = DEFAULT_PASSWORD) -> dict:
    """Build or refresh the demo data in one transaction; returns the users and whether volume was generated.

    The seed records go through the services, as the demo users, in date order (``demo.seed``)."""
    from django.db import transaction

    from . import (
        escalation,
        forward_plan,
        market,
        people,
        pipeline,
        plans,
        procurement_act,
        recommendations,
        returns,
        safeguarding,
        savings,
        seed,
        volume,
    )

    with transaction.atomic():
        directorates = people.build_directorates()
        users = people.build_users(directorates, password)
        scrutiny = seed.build_scrutiny(users)
        strategies = seed.build_strategies(directorates, users)
        providers = seed.build_key_providers(users)
        contracts = seed.build_key_contracts(strategies, directorates, providers, users)
        # Seed 001's procurement work plan, before the forward plan links its decisions to the projects.
        pipeline.build_pipeline(users, directorates, contracts)
        # Seed 003's Somerset plan (themes, "I" statements, intentions on the cycle) and seed 004's savings.
        plans.build_somerset_plan(users, directorates)
        savings.build_savings(users, directorates, contracts)
        seed.build_pooled_budgets(strategies, contracts)
        seed.build_measures(strategies)
        seed.build_conclusions(strategies, scrutiny)
        # Approval freezes what each report shows, so contracts, measures and conclusions come first.
        seed.build_reports_and_packs(strategies, scrutiny, users)
        # Seed 000's two-stage scrutiny (subject committees, the management board, the Executive) and the
        # forward plan entry of decision I017457, once the decision record exists.
        recommendations.build_two_stage_scrutiny(users)
        forward_plan.build_forward_plan(users)
        generated = volume.build_volume(
            directorates=directorates, strategies=strategies, users=users, key_providers=providers
        )
        seed.link_key_contract_parts()
        # Issue 14: the register today (the seed's contracts ended as their terms say, the services continued
        # by successors, a manager and backup on each live one) and a service re-procured under the Act.
        procurement_act.build_procurement_act(users, contracts)
        # Issue 15. The demo clock (demo.clock) first: the 13 months up to today get visits, concerns, sanctions and
        # each measure's quarterly results, so "this quarter" shows data on every page a new user opens, and what
        # follows reads them.
        volume.build_recent_activity(users)
        seed.build_recent_results(strategies)
        # Seed 002's monthly returns: every managed live contract's over the window, graded on the JET scale (the
        # seed contracts' own grades were given as they were built, in seed.build_key_contracts).
        returns.build_returns(users, procurement_act.SUCCESSORS)
        # Seed 001's escalation ladder and triggers, the year's escalations, Contract Management Governance
        # meetings and seed 002's monthly contracts-causing-concern reviews (after the returns they read).
        escalation.build_escalation(users)
        # Seed 001's allied-services novation and two home closures, cases for providers that left the market
        # (after demo.risk's exits), seed 004's market indicators and care home quality framework.
        market.build_market(users)
        # Safeguarding leads and their duty rota, section 42 enquiries on a sample of the safeguarding concerns.
        safeguarding.build_safeguarding(users, password)
    return {"users": users, "generated": generated}
