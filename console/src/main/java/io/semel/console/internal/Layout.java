package io.semel.console.internal;

import java.util.List;

/** The document around a page: navigation, the live-refresh hook and the static bundle. Stateless. */
final class Layout {
    private Layout() {
    }

    static String page(ConsoleContext ctx, List<Page> pages, Page current, Html main) {
        Html h = new Html();
        h.raw("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
                .raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .el("title", null, "Semel · " + current.title())
                .raw("<link rel=\"stylesheet\" href=\"/static/console.css\"></head><body><header><span class=\"brand\">")
                .text("Semel broker " + ctx.broker().config().brokerId())
                .raw("</span><nav>");
        for (Page p : pages) {
            h.raw(p == current ? "<a class=\"current\" href=\"" : "<a href=\"").text(p.path()).raw("\">")
                    .text(p.title()).raw("</a>");
        }
        h.raw("</nav><span class=\"live\" id=\"live\">live</span></header>")
                .raw("<main id=\"main\" data-refresh-ms=\"").text(ctx.config().refreshIntervalMs()).raw("\">")
                .raw(main.toString())
                .raw("</main><script src=\"/static/console.js\"></script></body></html>");
        return h.toString();
    }
}
