namespace Disco.Actors.Engine.State;

/// <summary>Saves, loads or reports one item of a collection; <paramref name="item"/> is read when saving, assigned when loading.</summary>
public delegate void ItemIo<T>(ref StateIo io, ref T item);
