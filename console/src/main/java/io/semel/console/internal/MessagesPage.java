package io.semel.console.internal;

import io.semel.broker.group.GroupNames;
import io.semel.console.Redriver;
import io.semel.console.Redriver.DeadLetterId;
import io.semel.protocol.Header;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * Browse a partition from an offset, with headers. On a dead-letter topic each record shows why it
 * died (reason, error, origin, delivery count) and whether it was redriven, with redrive of one, a
 * selection or all pending ({@link #redrive}).
 */
final class MessagesPage implements Page {
    static final String REDRIVE_PATH = "/messages/redrive";

    private final ConsoleContext ctx;

    MessagesPage(ConsoleContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public String path() {
        return "/messages";
    }

    @Override
    public String title() {
        return "Messages";
    }

    @Override
    public void render(Query q, Html out) {
        Map<String, Integer> topics = ctx.view().topicNames();
        out.raw("<h1>Messages</h1>");
        flash(q, out);
        if (topics.isEmpty()) {
            out.raw("<p>No topic yet.</p>");
            return;
        }
        String topic = q.get("topic");
        if (topic == null || !topics.containsKey(topic)) {
            topic = topics.keySet().iterator().next();
        }
        int partition = (int) Math.min(Math.max(0, q.getLong("partition", 0)), topics.get(topic) - 1);
        long from = Math.max(0, q.getLong("from", 0));
        selector(out, topics, topic, partition, from);
        List<BrokerView.RecordRow> rows = ctx.view().read(topic, partition, from, ctx.config().browseRecordsMax());
        long end = ctx.view().endOffset(topic, partition);
        out.raw("<p>").text(rows.size() + " record(s) of " + topic + "-" + partition + " from offset "
                + (rows.isEmpty() ? from : rows.get(0).offset()) + "; the partition ends at " + end + ".").raw("</p>");
        if (topic.endsWith(GroupNames.DLQ_SUFFIX)) {
            deadLetters(out, topic, partition, rows);
        } else {
            plain(out, rows);
        }
        if (!rows.isEmpty() && rows.get(rows.size() - 1).offset() + 1 < end) {
            out.link("/messages?topic=" + enc(topic) + "&partition=" + partition + "&from="
                    + (rows.get(rows.size() - 1).offset() + 1), "next page");
        }
    }

    private static void flash(Query q, Html out) {
        if (q.get("redriven") != null) {
            out.raw("<p class=\"flash\" id=\"redrive-result\">").text("redriven " + q.get("redriven")
                    + ", already redriven " + q.get("already") + ", failed " + q.get("failed")
                    + (q.get("detail") == null ? "" : ": " + q.get("detail"))).raw("</p>");
        }
    }

    private static void selector(Html out, Map<String, Integer> topics, String topic, int partition, long from) {
        out.raw("<form method=\"get\" action=\"/messages\" class=\"inline\"><label>topic <select name=\"topic\" "
                + "id=\"browse-topic\">");
        for (Map.Entry<String, Integer> t : topics.entrySet()) {
            out.raw("<option value=\"").text(t.getKey()).raw(t.getKey().equals(topic) ? "\" selected>" : "\">")
                    .text(t.getKey() + " (" + t.getValue() + ")").raw("</option>");
        }
        out.raw("</select></label> <label>partition <input name=\"partition\" id=\"browse-partition\" size=\"4\" value=\"")
                .text(partition).raw("\"></label> <label>from offset <input name=\"from\" id=\"browse-from\" size=\"10\" "
                        + "value=\"").text(from).raw("\"></label> <button id=\"browse-go\">Show</button></form>");
    }

    private static void plain(Html out, List<BrokerView.RecordRow> rows) {
        out.raw("<table id=\"records\">").th("offset", "time", "producer / seq", "key", "value", "headers");
        for (BrokerView.RecordRow r : rows) {
            out.raw("<tr>").td("rec-" + r.offset(), r.offset()).td(Html.time(r.timestampMs()))
                    .td(r.producerId() < 0 ? "-" : r.producerId() + " / " + r.sequence())
                    .td(Html.bytes(r.key())).td("rec-" + r.offset() + "-value", Html.bytes(r.value()));
            headers(out, r.headers());
            out.raw("</tr>");
        }
        out.raw("</table>");
    }

    private static void headers(Html out, List<Header> headers) {
        out.raw("<td><ul class=\"plain\">");
        for (Header h : headers) {
            out.raw("<li>").text(h.key() + " = " + Html.bytes(h.value())).raw("</li>");
        }
        out.raw("</ul></td>");
    }

    private void deadLetters(Html out, String dlq, int partition, List<BrokerView.RecordRow> rows) {
        LongPredicate redriven = ctx.redriver().redriven(dlq, partition);
        out.raw("<form method=\"post\" action=\"" + REDRIVE_PATH + "\" id=\"redrive-form\">")
                .raw("<input type=\"hidden\" name=\"csrf\" value=\"").text(ctx.csrfToken()).raw("\">")
                .raw("<input type=\"hidden\" name=\"dlq\" value=\"").text(dlq).raw("\">")
                .raw("<input type=\"hidden\" name=\"partition\" value=\"").text(partition).raw("\">")
                .raw("<p><button name=\"action\" value=\"selected\" id=\"redrive-selected\">Redrive selected</button> ")
                .raw("<button name=\"action\" value=\"all\" id=\"redrive-all\">Redrive all pending</button></p>")
                .raw("<table id=\"dead-letters\">")
                .th("", "offset", "status", "reason", "error", "origin", "delivery count", "key", "value", "headers");
        for (BrokerView.RecordRow r : rows) {
            boolean done = redriven.test(r.offset());
            String id = "dl-" + partition + "-" + r.offset();
            out.raw("<tr>").raw("<td>");
            if (!done) {
                out.raw("<input type=\"checkbox\" name=\"id\" id=\"" + id + "-pick\" value=\"")
                        .text(partition + ":" + r.offset()).raw("\">");
                // Its own button: the form then carries "one" and the server redrives this one only.
                out.raw(" <button name=\"one\" id=\"" + id + "-redrive\" value=\"").text(partition + ":" + r.offset())
                        .raw("\">redrive</button>");
            }
            out.raw("</td>").td(r.offset()).td(id + "-status", done ? "redriven" : "pending")
                    .td(String.valueOf(r.header("semel.dlq.reason"))).td(String.valueOf(r.header("semel.dlq.error")))
                    .td(id + "-origin", r.header("semel.dlq.topic") + "-" + r.header("semel.dlq.partition") + "@"
                            + r.header("semel.dlq.offset") + " (group " + r.header("semel.dlq.group") + ")")
                    .td(String.valueOf(r.header("semel.dlq.delivery-count"))).td(Html.bytes(r.key()))
                    .td(Html.bytes(r.value()));
            headers(out, r.headers());
            out.raw("</tr>");
        }
        out.raw("</table></form>");
    }

    /** Handles the redrive form; returns where to send the browser (the page again, with the outcome). */
    String redrive(Query form) {
        String dlq = form.get("dlq");
        if (dlq == null || !ctx.view().topicNames().containsKey(dlq)) {
            throw new IllegalArgumentException("redrive: unknown dead-letter topic '" + dlq + "'");
        }
        boolean all = "all".equals(form.get("action"));
        List<DeadLetterId> ids = all ? allPending(dlq) : picked(form.get("one") != null ? List.of(form.get("one"))
                : form.all("id"));
        // "All" takes the first redriveMessagesMax pending ones; the page says to press it again for the rest.
        boolean more = all && ids.size() > ctx.config().redriveMessagesMax();
        if (more) {
            ids = ids.subList(0, ctx.config().redriveMessagesMax());
        }
        if (ids.size() > ctx.config().redriveMessagesMax()) {
            throw new IllegalArgumentException("redrive of " + ids.size() + " dead letters refused: at most "
                    + "redriveMessagesMax " + ctx.config().redriveMessagesMax() + " per request; select fewer");
        }
        List<Redriver.Outcome> outcomes = ids.isEmpty() ? List.of() : ctx.redriver().redrive(dlq, ids);
        long ok = outcomes.stream().filter(o -> o.status() == Redriver.Status.REDRIVEN).count();
        long already = outcomes.stream().filter(o -> o.status() == Redriver.Status.ALREADY_REDRIVEN).count();
        List<String> failures = outcomes.stream().filter(o -> o.status() == Redriver.Status.FAILED)
                .map(o -> o.id().partition() + ":" + o.id().offset() + " " + o.detail()).toList();
        String detail = ids.isEmpty() ? "nothing selected" : failures.isEmpty() ? null : String.join("; ", failures);
        if (more) {
            detail = (detail == null ? "" : detail + "; ") + "only the first redriveMessagesMax "
                    + ctx.config().redriveMessagesMax() + " pending dead letters were taken; redrive all again for the rest";
        }
        return "/messages?topic=" + enc(dlq) + "&partition=" + form.getLong("partition", 0) + "&redriven=" + ok
                + "&already=" + already + "&failed=" + failures.size() + (detail == null ? "" : "&detail=" + enc(detail));
    }

    private static List<DeadLetterId> picked(List<String> values) {
        List<DeadLetterId> out = new ArrayList<>();
        for (String v : values) {
            int colon = v.indexOf(':');
            try {
                out.add(new DeadLetterId(Integer.parseInt(v.substring(0, colon)), Long.parseLong(v.substring(colon + 1))));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("redrive: '" + v + "' is not partition:offset", e);
            }
        }
        return out;
    }

    private List<DeadLetterId> allPending(String dlq) {
        List<DeadLetterId> out = new ArrayList<>();
        int partitions = ctx.view().topicNames().get(dlq);
        int max = ctx.config().redriveMessagesMax();
        for (int p = 0; p < partitions && out.size() <= max; p++) {
            LongPredicate done = ctx.redriver().redriven(dlq, p);
            for (BrokerView.RecordRow r : ctx.view().read(dlq, p, 0, max + 1)) {
                if (!done.test(r.offset())) {
                    out.add(new DeadLetterId(p, r.offset()));
                }
            }
        }
        return out;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
