using Akka.Actor;
using Disco.Actors.Engine.Checkpoints;
using Disco.Actors.Engine.Run;

namespace Disco.Actors.Engine.Actors;

/// <summary>The conductor's checkpoints: a consistent cut between two windows, each partition's image, the store.</summary>
internal sealed partial class Conductor
{
    private void BeginCheckpoint(long boundaryPs)
    {
        _checkpointBoundaryPs = boundaryPs;
        _checkpointBegan = _wall.Elapsed;
        _images = new byte[_count][];
        _imagesPending = _count;
        ToEveryPartition(new TakeCheckpoint(_epoch, _window + 1, 0), null);
    }

    private void OnImage(PartitionImage image)
    {
        _images![image.Partition] = image.Image;
        if (--_imagesPending > 0)
        {
            return;
        }

        // The conductor counts this segment's events; a resumed run adds those handled before its checkpoint.
        long handled = _events + (_resume?.HandledBefore ?? 0);
        var capture = new CheckpointCapture(_epoch, _checkpointBoundaryPs, handled, _images, (_wall.Elapsed - _checkpointBegan).TotalSeconds);
        var save = _checkpoints!.Save(capture);
        _images = null;
        save.ContinueWith(
            t => new CheckpointStored(t.IsCompletedSuccessfully ? t.Result : null, t.Exception?.GetBaseException()),
            TaskScheduler.Default).PipeTo(Self);
    }

    private void OnStored(CheckpointStored stored)
    {
        if (stored.Completed is null)
        {
            _done.TrySetException(stored.Failure ?? new InvalidOperationException("checkpoint failed"));
            Context.Stop(Self);
            return;
        }

        _checkpoints!.Saved?.Invoke(stored.Completed);
        _epoch++;
        _lastCheckpointWall = _wall.Elapsed;
        if (_checkpointBoundaryPs >= _nextCheckpointPs)
        {
            _nextCheckpointPs = _checkpoints.NextCadencePs(_checkpointBoundaryPs);
        }

        if (_control.Stop.IsCancellationRequested)
        {
            _stopped = true;
            Collect(_checkpointBoundaryPs);
            return;
        }

        OpenNextWindow();
    }
}
