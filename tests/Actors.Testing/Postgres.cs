using Xunit;

namespace Disco.Actors.Testing;

/// <summary>The PostgreSQL server of the shared-store tests: <c>DISCO_TEST_PG</c>, set by <c>.ci/run</c> (.ci/postgres.sh).</summary>
public static class Postgres
{
    public const string Variable = "DISCO_TEST_PG";

    public static string? ConnectionString => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } cs ? cs : null;

    /// <summary>Skips the calling test, with the reason shown, when no server is configured.</summary>
    public static string Require()
    {
        Skip.If(ConnectionString is null, $"{Variable} is not set: no PostgreSQL server for this test (bash .ci/postgres.sh starts one and prints its connection string)");
        return ConnectionString!;
    }
}
