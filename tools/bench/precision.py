"""wei-run's `precision: bf16` for the official-recipe drivers: the network's forward under bf16
autocast (convolutions and matrix products in bfloat16), its outputs back in fp32, so that the loss,
the optimizer and the weights stay fp32 as in wei-run. `precision: fp32` leaves the network as it is.
Written for this project."""
import torch

PRECISIONS = ("fp32", "bf16")


def add_precision_argument(parser):
    """--precision, as the drivers take it: wei-run's resolved `precision` (official_args.py passes it)."""
    parser.add_argument("--precision", choices=PRECISIONS, default="fp32",
                        help="bf16: the network's forward under bf16 autocast, as wei-run's precision: bf16")


class Bf16Forward(torch.nn.Module):
    """Wraps `net`: the same parameters, modes and call signature; forward under bf16 autocast."""

    def __init__(self, net, device_type):
        super().__init__()
        self.net = net
        self.device_type = device_type

    def forward(self, *args, **kwargs):
        with torch.autocast(self.device_type, dtype=torch.bfloat16):
            out = self.net(*args, **kwargs)
        return out.float()


def with_precision(net, precision, device_type="cpu"):
    """`net` for --precision `precision` (one of PRECISIONS, as the argument parser checks)."""
    return Bf16Forward(net, device_type) if precision == "bf16" else net
