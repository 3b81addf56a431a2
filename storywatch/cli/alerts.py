"""`storywatch alerts`: list pending and failed alerts; `storywatch alerts resend` queues them again."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from storywatch.alerts import deliver_pending, queue, resend
from storywatch.cli.app import ConfigOption, JsonOption, app, console, settings_from, user_errors
from storywatch.warehouse.analyst import refresh_analyst_copy
from storywatch.warehouse.db import open_warehouse

alerts_app = typer.Typer(help="Alerts waiting, failed or sent; resend failed ones.", no_args_is_help=False)
app.add_typer(alerts_app, name="alerts")


@alerts_app.callback(invoke_without_command=True)
@user_errors
def list_alerts(
    ctx: typer.Context,
    config: ConfigOption = None,
    as_json: JsonOption = False,
    include_sent: Annotated[bool, typer.Option("--all", help="Include sent alerts.")] = False,
) -> None:
    """List pending and failed alerts (the `alerts` view)."""
    if ctx.invoked_subcommand is not None:
        return
    statuses = ("pending", "failed", "sent") if include_sent else ("pending", "failed")
    with open_warehouse(settings_from(config).database, read_only=True) as con:
        rows = queue.listing(con, statuses)
    if as_json:
        console.print_json(json.dumps(rows, default=str))
        return
    table = Table("alert", "status", "tries", "about", "target", "created", "next try", "last error")
    for row in rows:
        table.add_row(
            str(row["alert_id"]),
            str(row["status"]),
            str(row["attempts"]),
            f"{row['kind']}: {row['subject']}",
            str(row["target"]),
            f"{row['created_at']:%Y-%m-%d %H:%M}",
            f"{row['next_attempt_at']:%Y-%m-%d %H:%M}" if row["next_attempt_at"] else "",
            str(row["last_error"] or ""),
        )
    console.print(table if rows else "No pending or failed alerts.")


@alerts_app.command("resend")
@user_errors
def resend_alerts(
    alert_ids: Annotated[list[str] | None, typer.Argument(help="Alert ids to send again.")] = None,
    failed: Annotated[bool, typer.Option("--failed", help="Resend every failed alert.")] = False,
    config: ConfigOption = None,
) -> None:
    """Queue alerts again and deliver them now."""
    if bool(alert_ids) == failed:
        raise typer.BadParameter("give alert ids or --failed (one of them)")
    settings = settings_from(config)
    queued = resend(settings.database, "all failed" if failed else alert_ids or [])
    if alert_ids and queued < len(set(alert_ids)):
        console.print(f"[yellow]{len(set(alert_ids)) - queued} of the ids are unknown or already pending[/yellow]")
    report = deliver_pending(settings.database, settings.notify, settings.alerts)
    refresh_analyst_copy(settings.database)
    console.print(f"queued {queued} again; {report.describe()}")
    for line in report.lines:
        console.print(f"  {line}", highlight=False, markup=False)
