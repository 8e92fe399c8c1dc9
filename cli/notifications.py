"""`onewindow notifications`: what the outbox holds per channel, and sending given-up notifications
again (one delivery, or a whole channel after its receiver was down), as the administrator named by
``--user``, with a reason for the audit trail. The same actions as the outbox page
(``CaseEngine.outbox_book``); the engine checks who may."""

import click

from cli.common import acting, case_engine, fail_clearly


@click.group()
def notifications():
    """Notifications (通知) the outbox sends: its channels, and failed ones sent again."""


@notifications.command("channels")
@fail_clearly
def notifications_channels():
    """Each channel with its pending, sent and failed deliveries."""
    for line in case_engine().outbox_book.channels():
        oldest = line.oldest_pending_at.isoformat(timespec="seconds") if line.oldest_pending_at else "-"
        click.echo(f"{line.channel}\t{line.subscriber or '-'}\tpending {line.pending}\tsent {line.sent}\t"
                   f"failed {line.failed}\toldest pending {oldest}" + ("" if line.configured else "\tnot configured"))


@notifications.command("resend")
@click.option("--user", required=True, help="The administrator sending them again.")
@click.option("--delivery", "delivery_id", type=int, help="One failed delivery, by its number.")
@click.option("--channel", help="Every failed delivery of this channel (e.g. sms, webhook:platform).")
@click.option("--reason", required=True, help="Why, for the audit trail (e.g. the gateway is back).")
@fail_clearly
def notifications_resend(user, delivery_id, channel, reason):
    """Send failed deliveries again: each goes back to pending, due now, with fresh attempts."""
    if (delivery_id is None) == (channel is None):
        raise click.UsageError("give --delivery or --channel, not both")
    actor, book = acting(user), case_engine().outbox_book
    if delivery_id is not None:
        click.echo(f"delivery #{book.retry(actor, delivery_id, reason)} is pending again")
    else:
        click.echo(f"{channel}: {book.retry_channel(actor, channel, reason)} failed deliveries are pending again")
