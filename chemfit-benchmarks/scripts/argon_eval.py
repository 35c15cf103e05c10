"""The argon example's evaluation as a plain numpy script, the yardstick for the start-up time of
`chemfit eval examples/argon/fit.yaml`: reads the same reference CSV and dimer files, evaluates the
Lennard-Jones energies at the job's initial parameters and prints the mean squared error.

    python3 chemfit-benchmarks/scripts/argon_eval.py examples/argon/data/ar2-energies.csv
"""
import csv
import os
import sys

import numpy as np


def main(path):
    folder = os.path.dirname(path)
    epsilon, sigma = 100.0, 3.2
    computed, reference = [], []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            with open(os.path.join(folder, row["file"])) as x:
                lines = x.read().split("\n")
            n = int(lines[0])
            xyz = np.array([[float(v) for v in line.split()[1:4]] for line in lines[2:2 + n]])
            r = np.linalg.norm(xyz[:, None, :] - xyz[None, :, :], axis=-1)[np.triu_indices(n, 1)]
            s6 = (sigma / r) ** 6
            computed.append(np.sum(4 * epsilon * (s6 * s6 - s6)))
            reference.append(float(row["reference_energy"]))
    loss = np.mean((np.array(computed) - np.array(reference)) ** 2)
    print(f"ar2-curve loss {loss:.6g}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "examples/argon/data/ar2-energies.csv")
