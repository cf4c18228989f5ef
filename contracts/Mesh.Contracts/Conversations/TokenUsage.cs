namespace Mesh.Contracts.Conversations;

/// <summary>Tokens the model calls of a turn used.</summary>
/// <param name="InputTokens">Prompt tokens.</param>
/// <param name="OutputTokens">Completion tokens.</param>
public sealed record TokenUsage(int InputTokens, int OutputTokens);
