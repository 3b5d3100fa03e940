/**
 * The pure placement core: {@link io.berth.scheduler.core.Placer#place} takes an immutable
 * {@link io.berth.scheduler.core.ClusterSnapshot} and a {@link io.berth.scheduler.core.Pending}
 * task and returns a {@link io.berth.scheduler.core.Placement} value. Nothing here imports Kafka,
 * reads a clock or draws unseeded randomness, so every decision is a function of its inputs and a
 * replay reproduces it. The Streams adapter lives one package up.
 */
package io.berth.scheduler.core;
