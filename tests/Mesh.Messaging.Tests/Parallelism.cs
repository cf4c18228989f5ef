using NUnit.Framework;

// Most of a Kafka test is waiting for a consumer group to form; tests use their own topics and groups, so they
// wait side by side.
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(6)]
