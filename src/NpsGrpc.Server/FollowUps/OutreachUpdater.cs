using Grpc.Core;
using NpsGrpc.Domain.FollowUps;
using NpsGrpc.Server.Errors;
using NpsGrpc.Storage.FollowUps;

namespace NpsGrpc.Server.FollowUps;

/// <summary>
/// Applies an update to an outreach item: checks the version the caller read and the status move, then writes the
/// change only if the version is still the same, so two agents never overwrite each other.
/// </summary>
public sealed class OutreachUpdater(OutreachStore store, TimeProvider time)
{
    /// <summary>Updates the item and returns it; a null <paramref name="status"/> keeps the current status.</summary>
    /// <exception cref="RpcException">
    /// NOT_FOUND for an unknown id, FAILED_PRECONDITION for a status move that is not allowed, ABORTED when the version
    /// is not the current one.
    /// </exception>
    public async Task<OutreachItemRecord> UpdateAsync(
        OutreachKind kind, long itemId, long version, string? status, string? owner, string? note,
        CancellationToken cancellationToken)
    {
        string noun = kind == OutreachKind.FollowUp ? "Follow-up item" : "Advocacy candidate";
        var current = await store.GetAsync(kind, itemId, cancellationToken)
            ?? throw RpcErrors.NotFound($"{noun} {itemId} does not exist.");
        if (current.Version != version)
        {
            throw VersionConflict(noun, itemId, version, current.Version);
        }

        string target = status ?? current.Status;
        if (!OutreachStatuses.CanMove(kind, current.Status, target))
        {
            var allowed = OutreachStatuses.NextStatuses(kind, current.Status);
            string options = allowed.Count == 0 ? "none, because it is final" : string.Join(", ", allowed);
            throw new RpcException(new Status(
                StatusCode.FailedPrecondition,
                $"{noun} {itemId} cannot move from {current.Status} to {target}; allowed from {current.Status}: {options}."));
        }

        // The version check in the statement catches an update that committed since the read above.
        return await store.UpdateAsync(kind, itemId, version, target, owner, note, time.GetUtcNow().UtcDateTime, cancellationToken)
            ?? throw VersionConflict(noun, itemId, version, null);
    }

    private static RpcException VersionConflict(string noun, long itemId, long expectedVersion, long? current)
    {
        string actual = current is { } value ? $"it is at version {value}" : "it changed meanwhile";
        return new RpcException(new Status(
            StatusCode.Aborted,
            $"{noun} {itemId} is not at the expected version {expectedVersion} because {actual}. " +
            "Read it again and retry the update."));
    }
}
