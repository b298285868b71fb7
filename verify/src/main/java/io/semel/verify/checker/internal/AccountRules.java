package io.semel.verify.checker.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The balance rules over the accounts of the final read: S3 ({@code state-vs-applied}, a balance is the sum of its
 * applied ids) and S4 ({@code state-vs-expected}, it is the sum of the confirmed and log-resolved unknown sends of
 * its key). Ids never sent have no amount and are left out of both sums (they are {@code unexpected}). Names are
 * looked up and sorted only for the accounts that mismatch. Not thread-safe.
 */
final class AccountRules {
    private final HistoryIndex ix;

    AccountRules(HistoryIndex ix) {
        this.ix = ix;
    }

    SortedMap<String, Finding> stateVsApplied() {
        SortedMap<String, Finding> out = new TreeMap<>();
        ix.readState.accounts().forEach((key, acc) -> {
            long sum = 0;
            for (int id : acc.appliedIds()) {
                sum += ix.amtOf(id);
            }
            if (acc.balance() != sum) {
                out.put(key, new Finding(key, "balance " + acc.balance() + " ≠ Σ amt of its " + acc.appliedIds().length
                        + " appliedIds " + sum, names(acc.appliedIds())));
            }
        });
        return out;
    }

    /** S4: the broker's log resolves unknown sends, so the store cannot explain away its own errors. */
    SortedMap<String, Finding> stateVsExpected() {
        Map<String, IntList> expectedIds = new TreeMap<>();
        Map<String, Long> expected = new TreeMap<>();
        for (int id = 0; id < ix.idCount(); id++) {
            String key = ix.keyOf(id);
            boolean counted = ix.confirmed(id) || (ix.unknown(id) && ix.logged(id) > 0);
            if (counted && key != null) {
                expectedIds.computeIfAbsent(key, k -> new IntList()).add(id);
                expected.merge(key, ix.amtOf(id), Long::sum);
            }
        }
        SortedMap<String, StoreRead.Account> accounts = ix.readState.accounts();
        SortedSet<String> keys = new TreeSet<>(accounts.keySet());
        keys.addAll(expected.keySet());
        SortedMap<String, Finding> out = new TreeMap<>();
        for (String key : keys) {
            StoreRead.Account acc = accounts.get(key);
            long balance = acc != null ? acc.balance() : 0;
            long want = expected.getOrDefault(key, 0L);
            if (balance == want) {
                continue;
            }
            List<String> applied = acc != null ? names(acc.appliedIds()) : List.of();
            IntList shouldIds = expectedIds.get(key);
            List<String> should = shouldIds == null ? List.of() : sortedNames(shouldIds.toArray());
            String detail = "balance " + balance + " ≠ Σ amt over confirmed and log-resolved unknown sends " + want
                    + "; missing " + firstFew(minus(should, applied)) + ", extra " + firstFew(minus(applied, should));
            SortedSet<String> both = new TreeSet<>(should);
            both.addAll(applied);
            out.put(key, new Finding(key, detail, new ArrayList<>(both)));
        }
        return out;
    }

    private List<String> names(int[] ids) {
        List<String> out = new ArrayList<>(ids.length);
        for (int id : ids) {
            out.add(ix.name(id));
        }
        return out;
    }

    private List<String> sortedNames(int[] ids) {
        String[] out = new String[ids.length];
        for (int k = 0; k < ids.length; k++) {
            out[k] = ix.name(ids[k]);
        }
        Arrays.sort(out);
        return Arrays.asList(out);
    }

    private static SortedSet<String> minus(List<String> a, List<String> b) {
        SortedSet<String> out = new TreeSet<>(a);
        out.removeAll(new TreeSet<>(b));
        return out;
    }

    private static String firstFew(SortedSet<String> ids) {
        return ids.size() <= 8 ? ids.toString() : ids.stream().limit(8).toList() + " and " + (ids.size() - 8) + " more";
    }
}
