/*
 * NAME
 *   classify_cluster_int.h - what a near-duplicate sketch's slots hold,
 *   shared by the sketch (classify_cluster.c) and its score
 *   (classify_cluster_score.c)
 *
 * DESCRIPTION
 *   Private to common/classify_cluster*.c. Owner: the classifier
 *   (docs/classifier.md, "Cluster").
 */
#ifndef INSPRAAK_CLASSIFY_CLUSTER_INT_H
#define INSPRAAK_CLASSIFY_CLUSTER_INT_H

/* One-permutation MinHash: one 64-bit hash a key; its top
 * CLUSTER_SLOT_BITS bits choose the slot, the low 32 bits are the
 * value, and a slot keeps its smallest value. The same key lands in the
 * same slot in every sketch, so equal slots count the shared keys:
 * with 1,024 slots almost exactly even for a long email (with the 64 of
 * before, two keys of one idea often shared a slot, and which ones
 * depended on the hash). Only occupied slots are kept
 * (cluster_sketch_t); no slot value is CLUSTER_EMPTY, which marks an
 * empty slot where a caller spreads a sketch out (the 64 values of a
 * packed version 2 record, classify_cluster_join.c's names). */
#define CLUSTER_EMPTY 0xffffffffU

/* The low 2 bits of a slot value say what kind of key holds the slot,
 * so two sketches that agree on a slot also agree on its kind, with no
 * extra bytes stored: the ordering of values (which key keeps a slot)
 * stays that of the random high bits. */
#define CLUSTER_BAND_MAIN 0U    /* a main concept of the idea */
#define CLUSTER_BAND_CONCEPT 1U /* another concept */
#define CLUSTER_BAND_WORD 2U    /* a plain stem or name */
/* A main concept that is a wish heard city-wide (its label starts with
 * CLUSTER_CITY_MARK in synonyms.tsv): the same wish whichever wijk it
 * comes from (see CLUSTER_CITY_BONUS in classify_cluster_score.c). A
 * sketch stored before has CLUSTER_BAND_MAIN there; the score counts the
 * two as the same main concept, and as city-wide only when both say so. */
#define CLUSTER_BAND_MAIN_CITY 3U

/* Before a concept's label in synonyms.tsv: a city-wide wish. Not part
 * of the key (a sketch stored before still shares the concept). */
#define CLUSTER_CITY_MARK '@'

#endif
