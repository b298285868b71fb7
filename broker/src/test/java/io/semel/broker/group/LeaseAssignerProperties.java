package io.semel.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class LeaseAssignerProperties {

    /**
     * Any earlier holders (including departed members), any live member set: every partition gets
     * a live holder, shares differ by at most one, a member at or below the lower share keeps all
     * it held, and the result is the same when computed twice.
     */
    @Property(tries = 500, seed = "7")
    void assignmentIsCompleteEvenStickyAndDeterministic(
            @ForAll @IntRange(min = 1, max = 24) int partitions,
            @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 0, max = 9) Integer> liveIds,
            @ForAll @Size(max = 24) List<@IntRange(min = -1, max = 9) Integer> previous) {
        List<String> members = new ArrayList<>();
        liveIds.stream().distinct().sorted().forEach(i -> members.add("m-" + i));
        Collections.sort(members);
        String[] current = new String[partitions];
        for (int p = 0; p < partitions && p < previous.size(); p++) {
            current[p] = previous.get(p) < 0 ? null : "m-" + previous.get(p);
        }
        String[] before = current.clone();

        String[] next = LeaseAssigner.assign(members, current);

        assertThat(current).as("input untouched").isEqualTo(before);
        assertThat(LeaseAssigner.assign(members, current)).isEqualTo(next);
        Map<String, Integer> counts = new HashMap<>();
        for (String holder : next) {
            assertThat(members).contains(holder);
            counts.merge(holder, 1, Integer::sum);
        }
        int low = partitions / members.size();
        for (String m : members) {
            int n = counts.getOrDefault(m, 0);
            assertThat(n).isBetween(low, low + (partitions % members.size() == 0 ? 0 : 1));
            int held = 0;
            for (String h : current) {
                held += m.equals(h) ? 1 : 0;
            }
            if (held <= low) {
                for (int p = 0; p < partitions; p++) {
                    if (m.equals(current[p])) {
                        assertThat(next[p]).as("%s keeps partition %d", m, p).isEqualTo(m);
                    }
                }
            }
        }
    }
}
