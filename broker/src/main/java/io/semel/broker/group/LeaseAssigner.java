package io.semel.broker.group;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sticky, even, deterministic assignment of partitions to members. Pure function; thread-safe.
 *
 * <p>Result: every partition has a holder (if there is any member); each member holds
 * {@code floor(n/m)} or {@code ceil(n/m)} partitions; a member keeps the partitions it held up to
 * its quota, so only the surplus of over-quota members and the partitions of departed members
 * move. Ties are broken by member id order, so the same inputs always give the same output.
 */
final class LeaseAssigner {
    private LeaseAssigner() {
    }

    /**
     * @param sortedMembers live member ids in ascending order
     * @param current current holder per partition (null = none); not modified
     * @return new holder per partition
     */
    static String[] assign(List<String> sortedMembers, String[] current) {
        int n = current.length;
        String[] next = new String[n];
        if (sortedMembers.isEmpty()) {
            return next;
        }
        Set<String> live = new HashSet<>(sortedMembers);
        Map<String, List<Integer>> held = new HashMap<>();
        for (String m : sortedMembers) {
            held.put(m, new ArrayList<>());
        }
        for (int p = 0; p < n; p++) {
            if (current[p] != null && live.contains(current[p])) {
                held.get(current[p]).add(p);
            }
        }
        // Members already holding the most get the ceil quotas, so fewer partitions move.
        List<String> byHoldings = new ArrayList<>(sortedMembers);
        byHoldings.sort(Comparator.comparingInt((String m) -> held.get(m).size()).reversed()
                .thenComparing(Comparator.naturalOrder()));
        int base = n / sortedMembers.size();
        int extra = n % sortedMembers.size();
        Map<String, Integer> quota = new HashMap<>();
        for (int i = 0; i < byHoldings.size(); i++) {
            quota.put(byHoldings.get(i), base + (i < extra ? 1 : 0));
        }
        for (String m : sortedMembers) {
            List<Integer> mine = held.get(m);
            // Keep the lowest partitions; release the surplus.
            while (mine.size() > quota.get(m)) {
                mine.remove(mine.size() - 1);
            }
            for (int p : mine) {
                next[p] = m;
            }
        }
        int p = 0;
        for (String m : sortedMembers) {
            int count = held.get(m).size();
            while (count < quota.get(m)) {
                while (next[p] != null) {
                    p++;
                }
                next[p] = m;
                count++;
            }
        }
        return next;
    }
}
