using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Mesh.Infra.Postgres;

/// <summary>One versioned migration script.</summary>
/// <param name="Component">Owner of the tables the script touches (a service, or <c>platform</c>).</param>
/// <param name="Version">Ordinal taken from the file name <c>V&lt;n&gt;__name.sql</c>.</param>
/// <param name="Name">The file name.</param>
/// <param name="Sql">The script.</param>
public sealed record Migration(string Component, int Version, string Name, string Sql)
{
    /// <summary>SHA-256 of the script, to detect an applied file that was edited afterwards.</summary>
    public string Checksum => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql)));
}

/// <summary>
/// Applies versioned SQL files. Every service runs it at start for its own component; a session-level
/// advisory lock serializes concurrent starts so two processes never apply the same script.
/// </summary>
public static class Migrator
{
    private const long LockKey = 0x4d45_5348_4d49_47; // "MESHMIG"

    /// <summary>Loads the embedded <c>migrations/V*.sql</c> resources of an assembly.</summary>
    public static IReadOnlyList<Migration> FromAssembly(Assembly assembly, string component)
    {
        var list = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith("migrations/", StringComparison.Ordinal) || !resource.EndsWith(".sql", StringComparison.Ordinal))
            {
                continue;
            }
            var name = resource["migrations/".Length..];
            var version = ParseVersion(name);
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            list.Add(new Migration(component, version, name, reader.ReadToEnd()));
        }
        var duplicate = list.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two migrations of {component} have version {duplicate.Key}.");
        }
        return list.OrderBy(m => m.Version).ToList();
    }

    /// <summary>Applies the migrations not yet recorded, each in its own transaction, and returns how many ran.</summary>
    public static async Task<int> ApplyAsync(NpgsqlDataSource dataSource, IReadOnlyList<Migration> migrations, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection))
        {
            lockCommand.Parameters.AddWithValue("key", LockKey);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }
        try
        {
            await using (var create = new NpgsqlCommand(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    component  text        NOT NULL,
                    version    integer     NOT NULL,
                    name       text        NOT NULL,
                    checksum   text        NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (component, version))
                """, connection))
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }

            var applied = new Dictionary<(string, int), string>();
            await using (var read = new NpgsqlCommand("SELECT component, version, checksum FROM schema_migrations", connection))
            await using (var rows = await read.ExecuteReaderAsync(cancellationToken))
            {
                while (await rows.ReadAsync(cancellationToken))
                {
                    applied[(rows.GetString(0), rows.GetInt32(1))] = rows.GetString(2);
                }
            }

            var count = 0;
            foreach (var migration in migrations)
            {
                if (applied.TryGetValue((migration.Component, migration.Version), out var checksum))
                {
                    if (checksum != migration.Checksum)
                    {
                        throw new InvalidOperationException(
                            $"Migration {migration.Component}/{migration.Name} was changed after it was applied; add a new version instead.");
                    }
                    continue;
                }
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await using (var script = new NpgsqlCommand(migration.Sql, connection, transaction))
                {
                    await script.ExecuteNonQueryAsync(cancellationToken);
                }
                await using (var record = new NpgsqlCommand(
                    "INSERT INTO schema_migrations (component, version, name, checksum) VALUES (@c, @v, @n, @s)", connection, transaction))
                {
                    record.Parameters.AddWithValue("c", migration.Component);
                    record.Parameters.AddWithValue("v", migration.Version);
                    record.Parameters.AddWithValue("n", migration.Name);
                    record.Parameters.AddWithValue("s", migration.Checksum);
                    await record.ExecuteNonQueryAsync(cancellationToken);
                }
                await transaction.CommitAsync(cancellationToken);
                count++;
            }
            return count;
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
            unlock.Parameters.AddWithValue("key", LockKey);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static int ParseVersion(string fileName)
    {
        var end = fileName.IndexOf("__", StringComparison.Ordinal);
        if (!fileName.StartsWith('V') || end < 2 || !int.TryParse(fileName.AsSpan(1, end - 1), out var version))
        {
            throw new InvalidOperationException($"Migration file '{fileName}' is not named V<number>__<name>.sql.");
        }
        return version;
    }
}
