namespace Mesh.Contracts.Schemas;

/// <summary>One message schema: its id, file, record type and size limit.</summary>
/// <param name="Id">The schema's <c>$id</c>, e.g. <c>mesh.tool.request/v1</c>, sent in the <c>schema</c> header.</param>
/// <param name="FileName">The file under <c>contracts/schemas</c>, e.g. <c>tool-request.v1.json</c>.</param>
/// <param name="RecordType">The C# record the message deserializes to.</param>
/// <param name="MaxBytes">The schema's <c>x-mesh-max-bytes</c>: the largest allowed UTF-8 body.</param>
public sealed record SchemaInfo(string Id, string FileName, Type RecordType, int MaxBytes);
