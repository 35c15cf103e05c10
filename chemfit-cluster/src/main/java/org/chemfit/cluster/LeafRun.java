package org.chemfit.cluster;

import java.util.LinkedHashMap;
import org.chemfit.ChemFitException;
import org.chemfit.CombinedObjectiveFunction;
import org.chemfit.EvaluationCancelledException;
import org.chemfit.EvaluationContext;
import org.chemfit.Parameters;
import org.chemfit.TermFailedException;
import org.chemfit.internal.Terms;
import org.jspecify.annotations.Nullable;

/**
 * Runs one leaf task against a member's own copy of the objective, and copies a result into the
 * driver's context. The leaf runs through {@link Terms#runTerm}, exactly as
 * serial evaluation runs it, so the value is the same double.
 */
final class LeafRun {

    private LeafRun() {}

    static String pathString(int[] path) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < path.length; i++) {
            if (i > 0) {
                sb.append('.');
            }
            sb.append(path[i]);
        }
        return sb.toString();
    }

    /**
     * Runs the task's leaf on the calling thread, on the driver.
     *
     * @return the result; an error result when this member's objective has no such leaf
     * @throws EvaluationCancelledException when the thread is interrupted
     */
    static Frames.Result run(CombinedObjectiveFunction root, Frames.Task task, String member, String address) {
        return run(root, task, member, address, null);
    }

    /**
     * Runs the task's leaf on the calling thread.
     *
     * @param worker how a failure names the worker that ran the term ({@code node07 (10.1.0.7:5701,
     *     pid 4242)}, see {@link #located}), or null on the driver
     * @return the result to send back; an error result when this member's objective has no such leaf
     * @throws EvaluationCancelledException when the thread is interrupted (then nothing is sent:
     *     the driver runs the task elsewhere when this member leaves)
     */
    static Frames.Result run(
            CombinedObjectiveFunction root, Frames.Task task, String member, String address, @Nullable String worker) {
        CombinedObjectiveFunction parent;
        try {
            parent = Terms.parentOf(root, task.path());
        } catch (IllegalArgumentException e) {
            return error(task, member, address, "this member built a different objective: " + e.getMessage());
        }
        int[] path = task.path();
        int index = path[path.length - 1];
        String here = parent.termNames().get(index);
        if (!here.equals(task.termName())) {
            return error(
                    task,
                    member,
                    address,
                    "this member built a different objective: term " + pathString(path) + " is '" + here
                            + "' here but '" + task.termName() + "' on the driver");
        }
        Parameters params = task.parameters();
        // rebuild the context path down to the leaf, as serial evaluation would have it
        EvaluationContext leaf = Terms.leafContext(root, path, params, task.evaluationId());
        try {
            Terms.runTerm(parent, index, params, leaf);
        } catch (EvaluationCancelledException e) {
            throw e;
        } catch (RuntimeException | Error e) {
            // runTerm records a term's own failures; this is the runtime failing around it (or an
            // Error such as a stack overflow in the term): report it rather than lose the task
            leaf.fail(TermFailedException.wrap(here, index, params, e));
        }
        return resultOf(task, leaf, member, address, worker);
    }

    static Frames.Result resultOf(
            Frames.Task task, EvaluationContext leaf, String member, String address, @Nullable String worker) {
        long end = leaf.endEpochNanos();
        long duration = end == 0 ? -1 : end - leaf.startEpochNanos();
        return new Frames.Result(
                task.session(),
                task.seq(),
                task.evaluationId(),
                member,
                address,
                leaf.status(),
                leaf.value(),
                leaf.quantities(),
                new LinkedHashMap<>(leaf.metadata()),
                failureOf(leaf.failure(), worker),
                leaf.startEpochNanos(),
                duration,
                leaf.threadName(),
                null,
                false);
    }

    private static Frames.@Nullable Failure failureOf(@Nullable Throwable t, @Nullable String worker) {
        if (t == null) {
            return null;
        }
        Throwable cause = t.getCause() == null ? t : t.getCause();
        if (t instanceof TermFailedException f) {
            return new Frames.Failure(
                    located(String.valueOf(f.getMessage()), f.termIndex(), f.termName(), worker),
                    f.termName(),
                    f.termIndex(),
                    f.runDirectory().map(Object::toString).orElse(null),
                    f.exitCode().isPresent() ? f.exitCode().getAsInt() : null,
                    f.stderrTail().orElse(null),
                    f.isTransient(),
                    cause.getClass().getName(),
                    cause.getMessage());
        }
        return new Frames.Failure(
                located(String.valueOf(t.getMessage()), -1, "", worker),
                "",
                -1,
                null,
                null,
                null,
                false,
                cause.getClass().getName(),
                cause.getMessage());
    }

    /**
     * Names the worker that ran a term in its failure's message, for the user who reads it on the
     * driver: {@code term 1 'b' failed on worker node07 (10.1.0.7:5701, pid 4242): no convergence}.
     * A message that does not begin with the term's own {@code term N 'name' failed} gets {@code (on
     * worker ...)} at the end of its first line instead (the lines after it are a program's output).
     *
     * @param message the failure's message
     * @param index the term's index in its parent, or -1 when unknown
     * @param name the term's name
     * @param worker the worker's host, address and process id, or null on the driver
     * @return the message naming the worker; the message itself on the driver
     */
    static String located(String message, int index, String name, @Nullable String worker) {
        if (worker == null) {
            return message;
        }
        String failed = "term " + index + " '" + name + "' failed";
        if (index >= 0 && message.startsWith(failed)) {
            return failed + " on worker " + worker + message.substring(failed.length());
        }
        int lineEnd = message.indexOf('\n');
        String on = " (on worker " + worker + ")";
        return lineEnd < 0 ? message + on : message.substring(0, lineEnd) + on + message.substring(lineEnd);
    }

    static Frames.Result error(Frames.Task task, String member, String address, String message) {
        return new Frames.Result(
                task.session(),
                task.seq(),
                task.evaluationId(),
                member,
                address,
                EvaluationContext.Status.FAILED,
                Double.NaN,
                org.chemfit.Quantities.empty(),
                new LinkedHashMap<>(),
                null,
                0,
                -1,
                null,
                message,
                false);
    }

    /**
     * Copies a result into the driver's leaf context, and records which member ran it
     * ({@code member}: its UUID, {@code member_address}: host:port) in the metadata.
     */
    static void apply(Frames.Result r, EvaluationContext child) {
        Frames.Failure f = r.failure();
        Throwable failure = null;
        if (f != null) {
            ChemFitException cause =
                    new ChemFitException(f.causeClass() + (f.causeMessage() == null ? "" : ": " + f.causeMessage())
                            + " (on member " + r.memberAddress() + ")");
            failure = new TermFailedException(
                    f.message(),
                    f.termName(),
                    f.termIndex(),
                    child.parameters(),
                    f.runDirectory() == null ? null : java.nio.file.Path.of(f.runDirectory()),
                    f.exitCode(),
                    f.stderrTail(),
                    f.transientFailure(),
                    cause);
        }
        child.adopt(r.status(), r.value(), r.quantities(), r.metadata(), failure);
        child.put("member", r.member());
        child.put("member_address", r.memberAddress());
        if (r.durationNanos() >= 0) {
            child.timed(r.startEpochNanos(), r.durationNanos(), r.thread());
        }
    }
}
