/* test_policy.c — the pure decisions of gc/cycle.c's collector policy:
 * when a full collection is due (heap growth since the last one, GOGC-
 * like, with a floor), how large the recently-promoted generation may grow
 * (a fraction of the long-lived objects, bounded by the pause target), and
 * the young threshold standing for a byte budget. */
#include <criterion/criterion.h>

#include "gc_internal.h"

#define MiB (1024ull * 1024)

Test(policy, a_full_collection_is_due_once_the_heap_has_grown_by_the_ratio)
{
    cr_assert_not(gc_cycle_full_due(100 * MiB, 100 * MiB, 0.5));
    cr_assert_not(gc_cycle_full_due(149 * MiB, 100 * MiB, 0.5));
    cr_assert(gc_cycle_full_due(150 * MiB, 100 * MiB, 0.5));
    cr_assert_not(gc_cycle_full_due(199 * MiB, 100 * MiB, 1.0));
    cr_assert(gc_cycle_full_due(200 * MiB, 100 * MiB, 1.0));
}

Test(policy, a_small_heap_never_asks_for_a_full_collection_below_the_floor)
{
    /* 1 MiB after the last full one, growth 0.5: 1.5 MiB is not enough,
     * the floor (4 MiB) x 1.5 is. */
    cr_assert_not(gc_cycle_full_due(2 * MiB, 1 * MiB, 0.5));
    cr_assert_not(gc_cycle_full_due(5 * MiB, 1 * MiB, 0.5));
    cr_assert(gc_cycle_full_due(6 * MiB, 1 * MiB, 0.5));
    cr_assert(gc_cycle_full_due(6 * MiB, 0, 0.5));
}

Test(policy, a_shrinking_heap_asks_for_nothing)
{
    cr_assert_not(gc_cycle_full_due(50 * MiB, 100 * MiB, 0.05));
}

Test(policy, generation_1_is_a_fraction_of_the_long_lived_objects)
{
    cr_assert_eq(gc_cycle_gen1_cap(1000000, 0.25, 20000, 0, 0), 250000);
    /* never below the minimum */
    cr_assert_eq(gc_cycle_gen1_cap(1000, 0.25, 20000, 0, 0), 20000);
}

Test(policy, the_pause_target_bounds_generation_1)
{
    /* 100 ns per object, 10 ms target: at most 100000 objects. */
    cr_assert_eq(gc_cycle_gen1_cap(1000000, 0.25, 20000, 10, 100), 100000);
    /* the target also overrides the minimum, down to a floor */
    cr_assert_eq(gc_cycle_gen1_cap(1000, 0.25, 20000, 1, 100), 10000);
    cr_assert_eq(gc_cycle_gen1_cap(1000, 0.25, 20000, 0.001, 100), 2000);
    /* no target, or no measurement yet: no bound */
    cr_assert_eq(gc_cycle_gen1_cap(1000000, 0.25, 20000, 0, 100), 250000);
    cr_assert_eq(gc_cycle_gen1_cap(1000000, 0.25, 20000, 10, 0), 250000);
}

Test(policy, the_young_threshold_stands_for_a_byte_budget)
{
    cr_assert_eq(gc_cycle_young_threshold(256 * 1024, 64, 700, 50000), 4096);
    cr_assert_eq(gc_cycle_young_threshold(256 * 1024, 4096, 700, 50000), 700);
    cr_assert_eq(gc_cycle_young_threshold(256 * 1024, 1, 700, 50000), 50000);
    /* unknown bytes per object: CPython's own */
    cr_assert_eq(gc_cycle_young_threshold(256 * 1024, 0, 700, 50000), 700);
}

Test(policy, asks_no_full_collection_for_growth_the_collector_does_not_track)
{
    cr_assert_not(gc_cycle_promoted_enough(0, 100000));
    cr_assert_not(gc_cycle_promoted_enough(24999, 100000));
    cr_assert(gc_cycle_promoted_enough(25000, 100000));
    cr_assert(gc_cycle_promoted_enough(10, 0)); /* nothing long-lived yet */
}

Test(policy, a_young_burst_larger_than_generation_1_may_hold_skips_it)
{
    /* cap 20000: 20000 survivors still go through generation 1, 20001
     * (a structure being built, or 333,000 dicts tracked by one loop)
     * would make its next collection a pause over the target. */
    cr_assert_not(gc_cycle_tenure_young(0, 20000));
    cr_assert_not(gc_cycle_tenure_young(20000, 20000));
    cr_assert(gc_cycle_tenure_young(20001, 20000));
    cr_assert(gc_cycle_tenure_young(333000, gc_cycle_gen1_cap(1000, 0.25, 20000, 10, 100)));
}

Test(policy, the_aging_cohort_is_rescanned_only_within_the_cap)
{
    cr_assert_not(gc_cycle_aging_scan(0, 20000));   /* nothing promoted */
    cr_assert(gc_cycle_aging_scan(1, 20000));
    cr_assert(gc_cycle_aging_scan(20000, 20000));
    cr_assert_not(gc_cycle_aging_scan(20001, 20000)); /* a tenured burst: old */
}

Test(policy, the_cohort_takes_room_from_generation_1_but_not_all_of_it)
{
    cr_assert_eq(gc_cycle_gen1_room(20000, 0), 20000);
    cr_assert_eq(gc_cycle_gen1_room(20000, 5000), 15000);
    cr_assert_eq(gc_cycle_gen1_room(20000, 19000), 5000); /* a quarter stays */
}

Test(policy, a_rescan_that_frees_little_backs_off_and_one_that_pays_resets)
{
    cr_assert_eq(gc_cycle_aging_backoff(1000, 900, 0), 1);   /* freed 10 %: skip one */
    cr_assert_eq(gc_cycle_aging_backoff(1000, 900, 1), 2);
    cr_assert_eq(gc_cycle_aging_backoff(1000, 1000, 4), 8);
    cr_assert_eq(gc_cycle_aging_backoff(1000, 1000, 8), 8); /* bounded */
    cr_assert_eq(gc_cycle_aging_backoff(1000, 750, 8), 0);    /* freed a quarter: rescans pay */
    cr_assert_eq(gc_cycle_aging_backoff(1000, 0, 8), 0);
}
