package io.semel.console.internal;

import java.util.Map;

/**
 * Consumer groups: members, per partition the lease (holder, epoch), ack floor, settled above it,
 * in-flight split by slot state, never-delivered and lag; and the delivery counts of unsettled deliveries.
 */
final class GroupsPage implements Page {
    private final ConsoleContext ctx;

    GroupsPage(ConsoleContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public String path() {
        return "/groups";
    }

    @Override
    public String title() {
        return "Groups";
    }

    @Override
    public void render(Query query, Html out) {
        out.raw("<h1>Consumer groups</h1>");
        var groups = ctx.view().groups();
        if (groups.isEmpty()) {
            out.raw("<p>No consumer group yet.</p>");
        }
        for (BrokerView.GroupRow g : groups) {
            String gid = "g-" + g.name();
            out.raw("<section class=\"group\"><h2>").text(g.name()).raw("</h2><p>on topic ").text(g.topic())
                    .raw(" · lag ").el("span", gid + "-lag", g.lag()).raw(" · members ")
                    .el("span", gid + "-members", g.members().size()).raw(": ")
                    .text(g.members().isEmpty() ? "none" : String.join(", ", g.members())).raw("</p><table>")
                    .th("partition", "lease holder", "lease epoch", "ack floor", "settled above floor", "delivered",
                            "due again", "DLQ pending", "never delivered", "end offset", "lag");
            for (BrokerView.GroupPartitionRow p : g.partitions()) {
                String pid = gid + "-p" + p.partition();
                out.raw("<tr>").td(p.partition()).td(pid + "-holder", p.leaseHolder() == null ? "-" : p.leaseHolder())
                        .td(pid + "-epoch", p.leaseEpoch()).td(pid + "-floor", p.ackFloor())
                        .td(pid + "-settled", p.settledAboveFloor()).td(pid + "-delivered", p.delivered())
                        .td(pid + "-due", p.due()).td(pid + "-dlq", p.deadLetterPending())
                        .td(pid + "-pending", p.pending()).td(pid + "-end", p.endOffset()).td(pid + "-lag", p.lag())
                        .raw("</tr>");
            }
            out.raw("</table><h3>Delivery counts of unsettled deliveries</h3>");
            if (g.deliveryCounts().isEmpty()) {
                out.raw("<p>none in flight</p>");
            } else {
                out.raw("<table class=\"narrow\">").th("delivery count", "messages");
                for (Map.Entry<Integer, Integer> e : g.deliveryCounts().entrySet()) {
                    out.raw("<tr>").td(e.getKey()).td(gid + "-dc-" + e.getKey(), e.getValue()).raw("</tr>");
                }
                out.raw("</table>");
            }
            out.raw("</section>");
        }
    }
}
