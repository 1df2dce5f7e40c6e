"""Seed 000 Fig. 3: pump–probe σ(ν; t_d), the mean-subtracted map and its Fourier spectrum along t_d (peak at 2Δ).

NbN with γ/2Δ = 20 (spec Table A set 2), pump A0 = 0.5e-8 V·s/m, probe A0/10 with the same shape,
delays vmapped; moving FFT window of spec §4.6.  N_e = 300, ω_D = 10 meV (quick: 60, 6 meV, 8 delays).
"""

import matplotlib.pyplot as plt
import numpy as np

from _seed000_common import nbn, parse, pump
from jaxhiggs import units
from jaxhiggs.models.mattis_bardeen import MattisBardeen
from jaxhiggs.spectra import delay_spectrum, pump_probe

a = parse(__doc__)
n, wd, nd, t_end = (60, 6.0, 8, 12.0) if a.quick else (300, 10.0, 48, 25.0)
gap = float(MattisBardeen(nbn(1.0, wd), n, orders=1, check_grid=False).gaps[0])
model = MattisBardeen(nbn(20 * 2 * gap, wd), n, check_grid=False)
dt = 0.02
times = np.arange(-5.0, t_end, dt)
delays = np.round(np.linspace(1.0, 1.0 + (nd - 1) * 0.1, nd) / dt) * dt
probe = lambda d: pump(amplitude=0.05e-8, center=-2.63 + d)
res = pump_probe(model, pump(), probe, delays, times, rtol=1e-6, atol=1e-10)
f, s = np.asarray(res["frequency"]), np.asarray(res["sigma"])
band = (f > 0.2) & (f < 2.0)
smap, fd, spec = delay_spectrum(delays, s[:, band].real)
fig, ax = plt.subplots(1, 3, figsize=(13, 4))
ax[0].plot(f[band], s[0, band].real / 100, label="σ′ (S/cm), first delay")
ax[0].plot(f[band], s[0, band].imag / 100, label="σ″ (S/cm)")
ax[0].legend()
ax[0].set(xlabel="ν (THz)")
ax[1].pcolormesh(f[band], delays, np.asarray(smap), shading="auto")
ax[1].set(xlabel="ν (THz)", ylabel="t_d (ps)", title="σ′ − ⟨σ′⟩_td (norm.)")
ax[2].plot(np.asarray(fd), np.asarray(spec).mean(axis=1))
ax[2].axvline(units.mev_to_thz(2 * gap), ls="--", c="k", label="2Δ")
ax[2].set(xlabel="ν_td (THz)", xlim=(0, 2))
ax[2].legend()
fig.tight_layout()
fig.savefig(f"{a.out}/seed000_fig3_pump_probe.png", dpi=120)
