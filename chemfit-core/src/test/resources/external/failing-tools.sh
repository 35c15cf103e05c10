#!/bin/bash
# Fails as a Python program and a GROMACS tool do, for the failure-message tests.
# Usage: bash failing-tools.sh (run in the run directory)
echo "step 1: reading topol.top"
cat >&2 <<'TRACE'
Traceback (most recent call last):
  File "model.py", line 12, in <module>
    main()
  File "model.py", line 9, in main
    raise ValueError("sigma must be positive, got -0.3")
ValueError: sigma must be positive, got -0.3
TRACE
cat > md.log <<'GMX'
                      :-) GROMACS - gmx grompp, 2022.5-Debian (-:

Executable:   /usr/bin/gmx
Command line:
  gmx grompp -f md.mdp -c conf.gro -p topol.top

-------------------------------------------------------
Program:     gmx grompp, version 2022.5-Debian
Source file: src/gromacs/gmxpreprocess/toppush.cpp (line 2104)

Fatal error:
No such moleculetype SOLL

For more information and tips for troubleshooting, please check the GROMACS
website at http://www.gromacs.org/Documentation/Errors
-------------------------------------------------------
GMX
exit 1
