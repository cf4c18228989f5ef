using System.Diagnostics;
using System.Text.Json;
using Confluent.Kafka;
using Mesh.Contracts.Messaging;
using Mesh.Contracts.Schemas;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Mesh.Infra.Messaging;

/// <summary>
/// Takes one received message to its end: checked (headers, schema) and handled with bounded retries, or written
/// to the dead-letter topic. It returns only once one of those is done, so that the caller may store the offset;
/// it throws only <see cref="OperationCanceledException"/>, when the shutdown grace period is over.
/// </summary>
internal sealed class MessageProcessor
{
    private static readonly TimeSpan FirstDeadLetterRetry = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LastDeadLetterRetry = TimeSpan.FromSeconds(10);

    private readonly Dictionary<string, TopicRegistration> registrations;
    private readonly IServiceScopeFactory scopes;
    private readonly DeadLetterWriter deadLetters;
    private readonly ResiliencePipeline retry;
    private readonly string groupId;
    private readonly int maxAttempts;
    private readonly TimeProvider time;
    private readonly ILogger logger;

    public MessageProcessor(
        MeshConsumerOptions options, IServiceScopeFactory scopes, DeadLetterWriter deadLetters, TimeProvider time, ILogger logger)
    {
        registrations = options.Registrations.ToDictionary(r => r.Topic, StringComparer.Ordinal);
        this.scopes = scopes;
        this.deadLetters = deadLetters;
        this.time = time;
        this.logger = logger;
        groupId = options.GroupId;
        maxAttempts = options.MaxAttempts;
        retry = maxAttempts == 1
            ? ResiliencePipeline.Empty
            : new ResiliencePipelineBuilder { TimeProvider = time }
                .AddRetry(new RetryStrategyOptions
                {
                    MaxRetryAttempts = maxAttempts - 1,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = options.RetryDelay,
                    MaxDelay = options.MaxRetryDelay,
                    ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not (PermanentMessageException or OperationCanceledException)),
                })
                .Build();
    }

    public async Task ProcessAsync(ConsumeResult<byte[]?, byte[]> result, CancellationToken abort)
    {
        var received = new ReceivedMessage(result, groupId);
        var registration = registrations[result.Topic];

        // Each message starts its own trace context: the sender's when the header carries one, else a new root.
        Activity.Current = null;
        var parent = TraceParent.TryParse(received.Headers.GetValueOrDefault(MeshHeaders.TraceParent), out var remote) ? remote : default;
        using var span = MessagingDiagnostics.Source.StartActivity($"{result.Topic} process", ActivityKind.Consumer, parent);
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag("messaging.system", "kafka");
            span.SetTag("messaging.operation.type", "process");
            span.SetTag("messaging.destination.name", result.Topic);
            span.SetTag("messaging.consumer.group.name", groupId);
            span.SetTag("messaging.destination.partition.id", received.Partition);
            span.SetTag("messaging.kafka.offset", received.Offset);
            span.SetTag("messaging.message.id", received.Header(MeshHeaders.MessageId));
        }

        using var scope = logger.BeginScope(new KeyValuePair<string, object?>[]
        {
            new("tenant_id", received.Header(MeshHeaders.TenantId)),
            new("turn_id", received.Header(MeshHeaders.CorrelationId)),
        });

        if (Check(received, registration, out var message) is { } refusal)
        {
            await DeadLetterAsync(received, refusal, MessagingMetrics.Outcomes.Invalid, span, abort);
            return;
        }

        var attempt = 0;
        try
        {
            await retry.ExecuteAsync(
                async cancellationToken =>
                {
                    attempt++;
                    await HandleOnceAsync(registration, received, message!, attempt, cancellationToken);
                },
                abort);
            Count(received.Topic, attempt == 1 ? MessagingMetrics.Outcomes.Handled : MessagingMetrics.Outcomes.Retried);
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            throw;
        }
        catch (PermanentMessageException e)
        {
            await DeadLetterAsync(received, new DeadLetterReason(e.ErrorType, e.Message, attempt), MessagingMetrics.Outcomes.DeadLettered, span, abort);
        }
        catch (Exception e)
        {
            await DeadLetterAsync(received, new DeadLetterReason(e.GetType().Name, e.Message, attempt), MessagingMetrics.Outcomes.DeadLettered, span, abort);
        }
    }

    private async Task HandleOnceAsync(TopicRegistration registration, ReceivedMessage received, object message, int attempt, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await registration.HandleAsync(scope.ServiceProvider, received, message, attempt, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            Log.HandlerAttemptFailed(logger, received.Topic, received.Partition, received.Offset, attempt, maxAttempts, e.GetType().Name, e);
            throw;
        }
        finally
        {
            MessagingMetrics.HandlerDuration.Record(
                Stopwatch.GetElapsedTime(started).TotalSeconds,
                new KeyValuePair<string, object?>("topic", received.Topic),
                new KeyValuePair<string, object?>("group", groupId));
        }
    }

    private static DeadLetterReason? Check(ReceivedMessage received, TopicRegistration registration, out object? message)
    {
        message = null;
        if (MessageHeaders.FirstMissing(received.Headers) is { } missing)
        {
            return new(DeadLetterErrorTypes.MissingHeader, $"The required header '{missing}' is missing or empty.", 1);
        }

        var contentType = received.Header(MeshHeaders.ContentType);
        if (contentType != MeshHeaders.JsonContentType)
        {
            return new(DeadLetterErrorTypes.UnsupportedContentType, $"content-type is '{Clip(contentType)}', expected '{MeshHeaders.JsonContentType}'.", 1);
        }

        var schema = received.Header(MeshHeaders.Schema);
        if (schema != registration.SchemaId)
        {
            return new(DeadLetterErrorTypes.SchemaMismatch, $"schema is '{Clip(schema)}', but {registration.Topic} carries {registration.SchemaId}.", 1);
        }

        var validation = MeshSchemas.Validate(registration.SchemaId, received.Body);
        if (!validation.IsValid)
        {
            return new(validation.Errors[0].Kind.ToString(), validation.ToString(), 1);
        }

        try
        {
            message = registration.Deserialize(received.Body.Span);
            return null;
        }
        catch (JsonException e)
        {
            return new(DeadLetterErrorTypes.DeserializationFailed, e.Message, 1);
        }
    }

    // Nothing is acknowledged and dropped: while the dead-letter topic cannot be written, the partition waits.
    private async Task DeadLetterAsync(ReceivedMessage received, DeadLetterReason reason, string outcome, Activity? span, CancellationToken abort)
    {
        var delay = FirstDeadLetterRetry;
        while (true)
        {
            try
            {
                await deadLetters.WriteAsync(received.Result, reason, abort);
                break;
            }
            catch (KafkaException e)
            {
                Log.DeadLetterWriteFailed(logger, received.Topic, received.Partition, received.Offset, e.Error.Reason, delay);
                await Task.Delay(delay, time, abort);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LastDeadLetterRetry.Ticks));
            }
        }

        Log.DeadLettered(logger, received.Topic, received.Partition, received.Offset, reason.ErrorType, reason.Attempt);
        span?.SetStatus(ActivityStatusCode.Error, reason.ErrorType);
        Count(received.Topic, outcome);
    }

    private void Count(string topic, string outcome) =>
        MessagingMetrics.Consumed.Add(1, new TagList { { "topic", topic }, { "group", groupId }, { "outcome", outcome } });

    private static string Clip(string value) => value.Length <= 100 ? value : value[..100] + "…";
}
