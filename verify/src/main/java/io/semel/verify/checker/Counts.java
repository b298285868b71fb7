package io.semel.verify.checker;

/**
 * The run's figures.
 *
 * @param attempted |A|, distinct send ids invoked
 * @param confirmed |K|, sends with ok
 * @param failed |F|, sends with fail
 * @param unknown |I|, sends with info or without completion
 * @param recovered unknown sends that showed up in L, D or P
 * @param deliveries every delivered message, redeliveries included
 * @param delivered distinct ids in D
 * @param logged |L| as a multiset, 0 without a drain
 * @param applied distinct ids in P, 0 without a read-state
 * @param lost distinct ids in lost ∪ lost-log ∪ lost-delivered
 * @param duplicated distinct ids in dup-log ∪ dup-applied
 * @param unseen |K − D|, confirmed but never delivered (liveness, not fatal)
 */
public record Counts(long attempted, long confirmed, long failed, long unknown, long recovered, long deliveries,
        long delivered, long logged, long applied, long lost, long duplicated, long unseen) {
}
