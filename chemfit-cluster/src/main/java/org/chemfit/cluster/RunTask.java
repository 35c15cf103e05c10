package org.chemfit.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializableFactory;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import java.io.IOException;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;

/**
 * Signed task frames on their way to a worker thread (one task, or a few short ones together: a
 * {@link Frames#bundle}), sent with Hazelcast's executor service straight to the member that
 * offered the free thread; the executor's response carries the signed result frames back to the
 * driver. One remote call per task or batch: the tasks and their results are the request and the
 * response of the same call.
 *
 * <p>It travels as an {@link IdentifiedDataSerializable}: a factory id and a class id (no class
 * name) and the bundle's bytes, read only by the factory that {@link ClusterMemberConfig}
 * registers. Each frame inside is checked (HMAC, job fingerprint) by the worker before anything of
 * it is parsed, exactly as when frames travelled through queues.
 *
 * <p>{@link #call()} returns the bundle of signed result frames, or {@code null} when this member
 * serves no task (no worker, a closed or refused one): the driver then hands the tasks to another
 * member.
 */
final class RunTask implements Callable<byte @Nullable []>, IdentifiedDataSerializable, HazelcastInstanceAware {

    /** The id of ChemFit's factory in Hazelcast's serialization configuration. */
    static final int FACTORY_ID = 0x43464A; // "CFJ"
    /** The id of this type in that factory. */
    static final int CLASS_ID = 1;

    /** The factory {@link ClusterMemberConfig} registers: it makes this one type and nothing else. */
    static final DataSerializableFactory FACTORY = id -> id == CLASS_ID ? new RunTask() : null;

    private byte[] bundle;
    private @Nullable HazelcastInstance member;

    /** For the factory: the frame is read next. */
    RunTask() {
        this.bundle = new byte[0];
    }

    RunTask(byte[] bundle) {
        this.bundle = bundle;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
        this.member = hazelcastInstance;
    }

    @Override
    public byte @Nullable [] call() {
        HazelcastInstance hz = member;
        Object w = hz == null ? null : hz.getUserContext().get(ClusterWorker.CONTEXT_KEY);
        return w instanceof ClusterWorker worker ? worker.run(bundle) : null;
    }

    @Override
    public int getFactoryId() {
        return FACTORY_ID;
    }

    @Override
    public int getClassId() {
        return CLASS_ID;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeByteArray(bundle);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        byte[] f = in.readByteArray();
        if (f == null || f.length > Frames.MAX_FRAME) {
            throw new IOException(
                    "a bundle of task frames of " + (f == null ? "no" : Integer.toString(f.length)) + " bytes");
        }
        this.bundle = f;
    }
}
