namespace Disco.Actors.Monitor.BareOs;

/// <summary>Where the bare OS puts a page on its first touch.</summary>
public enum PagePlacement
{
    /// <summary>Pages spread over the nodes in turn: how FLASH was set up for IRIX 5.3, which is not NUMA-aware [D 5.4].</summary>
    RoundRobin,

    /// <summary>On the node of the processor that touches the page first.</summary>
    FirstTouch,
}
