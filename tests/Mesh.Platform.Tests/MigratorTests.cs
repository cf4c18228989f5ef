using Mesh.Infra.Postgres;
using Npgsql;
using NUnit.Framework;

namespace Mesh.Platform.Tests;

public sealed class MigratorTests
{
    private static readonly Migration[] Migrations =
    [
        new("widgets", 1, "V001__widgets.sql", "CREATE TABLE widgets (id int PRIMARY KEY); SELECT pg_sleep(0.2);"),
        new("widgets", 2, "V002__widget_names.sql", "ALTER TABLE widgets ADD COLUMN name text NOT NULL DEFAULT '';"),
    ];

    [Test]
    public async Task Two_concurrent_runs_leave_one_correct_schema()
    {
        await using var dataSource = NpgsqlDataSource.Create(await PlatformStack.Stack.Postgres.CreateDatabaseAsync("migrate"));

        var runs = await Task.WhenAll(
            Task.Run(() => Migrator.ApplyAsync(dataSource, Migrations, CancellationToken.None)),
            Task.Run(() => Migrator.ApplyAsync(dataSource, Migrations, CancellationToken.None)));

        await using var versions = dataSource.CreateCommand("SELECT count(*), count(DISTINCT version) FROM schema_migrations WHERE component = 'widgets'");
        await using var reader = await versions.ExecuteReaderAsync();
        await reader.ReadAsync();
        var (rows, distinct) = (reader.GetInt64(0), reader.GetInt64(1));
        await reader.DisposeAsync();
        await using var columns = dataSource.CreateCommand("SELECT string_agg(column_name, ',' ORDER BY column_name) FROM information_schema.columns WHERE table_name = 'widgets'");

        Assert.Multiple(async () =>
        {
            Assert.That(runs.Sum(), Is.EqualTo(2), "each migration applied once in all");
            Assert.That(runs, Does.Contain(0), "the second run found nothing left to do");
            Assert.That((rows, distinct), Is.EqualTo((2L, 2L)));
            Assert.That(await columns.ExecuteScalarAsync(), Is.EqualTo("id,name"));
        });
    }

    [Test]
    public async Task A_changed_applied_migration_is_refused()
    {
        await using var dataSource = NpgsqlDataSource.Create(await PlatformStack.Stack.Postgres.CreateDatabaseAsync("migrate"));
        await Migrator.ApplyAsync(dataSource, Migrations, CancellationToken.None);
        Migration[] edited = [Migrations[0] with { Sql = "CREATE TABLE widgets (id bigint PRIMARY KEY);" }, Migrations[1]];

        var error = Assert.ThrowsAsync<InvalidOperationException>(() => Migrator.ApplyAsync(dataSource, edited, CancellationToken.None));

        Assert.That(error!.Message, Does.Contain("V001__widgets.sql").And.Contain("changed"));
    }

    [Test]
    public void Platform_migrations_are_embedded_and_ordered()
    {
        var platform = Migrator.FromAssembly(typeof(Migrator).Assembly, "platform");

        Assert.That(platform.Select(m => m.Version), Is.Ordered.And.Not.Empty);
    }
}
