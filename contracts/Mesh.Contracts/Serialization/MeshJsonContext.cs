using System.Text.Json;
using System.Text.Json.Serialization;
using Mesh.Contracts.Conversations;
using Mesh.Contracts.Delegation;
using Mesh.Contracts.Policy;
using Mesh.Contracts.Tools;

namespace Mesh.Contracts.Serialization;

/// <summary>
/// Source-generated serialization metadata for every message record: snake_case names, string enums with
/// their wire names, nulls left out. Use it through <see cref="MeshJson"/>.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    AllowDuplicateProperties = false,
    Converters = [typeof(UtcDateTimeOffsetConverter)])]
[JsonSerializable(typeof(ConversationMessage))]
[JsonSerializable(typeof(ConversationEvent))]
[JsonSerializable(typeof(ToolRequest))]
[JsonSerializable(typeof(ToolResult))]
[JsonSerializable(typeof(DelegationTask))]
[JsonSerializable(typeof(DelegationEvent))]
[JsonSerializable(typeof(PolicyDecision))]
public sealed partial class MeshJsonContext : JsonSerializerContext;
