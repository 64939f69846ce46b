using System.Globalization;
using Akka.Configuration;

namespace Disco.Actors.Host.Cluster;

/// <summary>
/// Akka.Cluster settings of a disco process: loopback unless told otherwise, fast formation and failure detection
/// (a lost worker must stop the run within seconds), the split-brain resolver keeping the conductor's side, and
/// frames large enough for a window's batch or a partition's checkpoint image.
/// </summary>
internal static class ClusterSettings
{
    public const string SystemName = "disco";
    public const string ConductorRole = "conductor";
    public const string WorkerRole = "worker";
    public const string WorkerHostName = "worker-host";

    public static Config For(string role, string hostname, int port, string seedHostPort)
    {
        string p = port.ToString(CultureInfo.InvariantCulture);
        return ConfigurationFactory.ParseString($$"""
            akka {
              actor.provider = cluster
              remote {
                dot-netty.tcp {
                  hostname = "{{hostname}}"
                  public-hostname = "{{hostname}}"
                  port = {{p}}
                  maximum-frame-size = 256000000b
                  # Every window waits for a handful of small messages: flush each at once instead of
                  # coalescing writes for up to the batching interval.
                  batching.enabled = false
                  send-buffer-size = 4194304b
                  receive-buffer-size = 4194304b
                }
                retry-gate-closed-for = 500ms
                # A member that goes away is reported by disco itself, in one line.
                log-remote-lifecycle-events = off
              }
              cluster {
                seed-nodes = ["akka.tcp://{{SystemName}}@{{seedHostPort}}"]
                roles = [{{role}}]
                seed-node-timeout = 1s
                retry-unsuccessful-join-after = 1s
                gossip-interval = 200ms
                leader-actions-interval = 200ms
                failure-detector {
                  heartbeat-interval = 500ms
                  acceptable-heartbeat-pause = 2s
                }
                downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
                split-brain-resolver {
                  active-strategy = keep-oldest
                  stable-after = 2s
                  # A worker killed while the others keep running is not instability: never down the conductor's side.
                  down-all-when-unstable = off
                  keep-oldest { down-if-alone = off, role = "{{ConductorRole}}" }
                }
                log-info = off
              }
              coordinated-shutdown.exit-clr = off
              coordinated-shutdown.run-by-clr-shutdown-hook = off
            }
            """);
    }
}
