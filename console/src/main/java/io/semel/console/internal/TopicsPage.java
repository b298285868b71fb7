package io.semel.console.internal;

/** Topics with their partitions: offsets, size, segments, and producers (id, name, epoch, last sequence). */
final class TopicsPage implements Page {
    private final ConsoleContext ctx;

    TopicsPage(ConsoleContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public String path() {
        return "/topics";
    }

    @Override
    public String title() {
        return "Topics";
    }

    @Override
    public void render(Query query, Html out) {
        out.raw("<h1>Topics</h1>");
        for (BrokerView.TopicRow t : ctx.view().topics()) {
            String tid = "t-" + t.name();
            out.raw("<section class=\"topic\"><h2>").text(t.name()).raw("</h2><p>")
                    .text(t.partitions().size() + " partition(s), " + t.records() + " records, "
                            + Html.bytesHuman(t.sizeBytes()))
                    .raw(" · ").link("/messages?topic=" + t.name(), "browse").raw("</p><table>")
                    .th("partition", "start offset", "end offset", "records", "flushed offset", "size", "segments",
                            "producers (id name epoch last sequence)");
            for (BrokerView.PartitionRow p : t.partitions()) {
                String pid = tid + "-p" + p.partition();
                out.raw("<tr>").td(p.partition()).td(pid + "-start", p.startOffset()).td(pid + "-end", p.endOffset())
                        .td(pid + "-records", p.endOffset() - p.startOffset()).td(p.flushedOffset())
                        .td(pid + "-size", Html.bytesHuman(p.sizeBytes())).td(pid + "-segments", p.segments())
                        .raw("<td><ul class=\"plain\">");
                for (BrokerView.ProducerRow pr : p.producers()) {
                    out.el("li", pid + "-producer-" + pr.producerId(), pr.producerId() + " " + pr.name() + " epoch "
                            + pr.epoch() + " seq " + pr.lastSequence());
                }
                out.raw("</ul></td></tr>");
            }
            out.raw("</table></section>");
        }
    }
}
