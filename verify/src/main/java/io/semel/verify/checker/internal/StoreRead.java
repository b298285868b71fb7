package io.semel.verify.checker.internal;

import java.util.Arrays;
import java.util.SortedMap;

/**
 * One {@code read-state ok} reduced to what the rules use: its {@code i}, the {@code i} of its invoke (an event
 * completed before {@code invokeI} happened before the read began, so the read must reflect it), its stored
 * positions, and the applied ids over all accounts as a sorted int multiset (4 bytes per applied id). A final
 * read also keeps its accounts (balance and appliedIds in order, 4 bytes per id) for the state rules; only the
 * last final read stands for P, so {@link HistoryIndex} drops the accounts of earlier ones. Not thread-safe.
 */
final class StoreRead {
    /** One account: its balance and its applied ids (interned) in apply order. */
    record Account(long balance, int[] appliedIds) {
    }

    final long eventI;
    final long invokeI;
    final boolean isFinal;
    final SortedMap<Integer, Long> positions;
    private final int[] appliedSorted;
    private SortedMap<String, Account> accounts;

    StoreRead(long eventI, long invokeI, boolean isFinal, SortedMap<Integer, Long> positions, int[] applied,
            SortedMap<String, Account> accounts) {
        this.eventI = eventI;
        this.invokeI = invokeI;
        this.isFinal = isFinal;
        this.positions = positions;
        this.appliedSorted = applied;
        Arrays.sort(appliedSorted);
        this.accounts = accounts;
    }

    /** How many times {@code id} is applied over all accounts of this read. */
    int count(int id) {
        int at = Arrays.binarySearch(appliedSorted, id);
        if (at < 0) {
            return 0;
        }
        int lo = at;
        while (lo > 0 && appliedSorted[lo - 1] == id) {
            lo--;
        }
        int hi = at;
        while (hi + 1 < appliedSorted.length && appliedSorted[hi + 1] == id) {
            hi++;
        }
        return hi - lo + 1;
    }

    boolean contains(int id) {
        return Arrays.binarySearch(appliedSorted, id) >= 0;
    }

    /** Calls {@code f} once per distinct applied id, in id-number order. */
    void forEachDistinct(java.util.function.IntConsumer f) {
        for (int k = 0; k < appliedSorted.length; k++) {
            if (k == 0 || appliedSorted[k] != appliedSorted[k - 1]) {
                f.accept(appliedSorted[k]);
            }
        }
    }

    /** The accounts of a final read; empty once dropped. */
    SortedMap<String, Account> accounts() {
        return accounts;
    }

    void dropAccounts() {
        accounts = null;
    }

    String kind() {
        return isFinal ? "final" : "mid-run";
    }
}
