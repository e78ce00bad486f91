#ifndef SWITCHYARD_COPENMPDEFAULTS_H
#define SWITCHYARD_COPENMPDEFAULTS_H

/// The spin count this process gave GNU OpenMP (oneDNN's threading runtime) before it started,
/// or 0 when the environment already chose one (`OMP_WAIT_POLICY` or `GOMP_SPINCOUNT` set) or
/// the process is not an executable linking this target.
int switchyard_openmp_default_spin_count(void);

#endif
