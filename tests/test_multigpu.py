"""Two GPUs: DistributedDataParallel training with cutlass_convt3d matches single-GPU full-batch training, and
an op on cuda:1 runs there while cuda:0 stays current.  Skipped with fewer than two GPUs."""
import os

import pytest
import torch

import cutlass_convt3d

two_gpus = pytest.mark.skipif(not torch.cuda.is_available() or torch.cuda.device_count() < 2,
                              reason="needs two CUDA GPUs")
# NVLink multicast stays off (shared machines): NCCL, PyTorch symmetric memory, NVSHMEM.
MULTICAST_OFF = {"NCCL_NVLS_ENABLE": "0", "TORCH_SYMM_MEM_DISABLE_MULTICAST": "1", "NVSHMEM_DISABLE_NVLS": "1"}


def _block(seed):
    torch.manual_seed(seed)
    return torch.nn.Sequential(cutlass_convt3d.ConvTranspose3d(8, 4, 3, stride=2, padding=1, output_padding=1),
                               torch.nn.ReLU(), cutlass_convt3d.ConvTranspose3d(4, 2, 2, stride=2))


def _data(steps, batch):
    g = torch.Generator().manual_seed(1)
    return [(torch.rand(batch, 8, 4, 6, 5, generator=g), torch.rand(batch, 2, 16, 24, 20, generator=g))
            for _ in range(steps)]


def _train(model, data, device, rank=0, world=1):
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, t in data:
        per = x.shape[0] // world
        x, t = x[rank * per:(rank + 1) * per].to(device), t[rank * per:(rank + 1) * per].to(device)
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(x), t).backward()
        opt.step()
    return [p.detach().cpu() for p in model.parameters()]


def _worker(rank, world, port, deterministic, out):
    os.environ.update(MULTICAST_OFF, MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    torch.backends.cudnn.allow_tf32 = not deterministic
    torch.distributed.init_process_group("nccl", rank=rank, world_size=world)
    torch.cuda.set_device(rank)
    model = torch.nn.parallel.DistributedDataParallel(_block(0).cuda(rank), device_ids=[rank])
    params = _train(model, _data(3, 4), f"cuda:{rank}", rank, world)
    if rank == 0:
        torch.save(params, out)
    torch.distributed.destroy_process_group()


@two_gpus
@pytest.mark.parametrize("deterministic", [False, True], ids=["tf32", "exact-fp32"])
def test_ddp_matches_single_gpu(tmp_path, deterministic):
    os.environ.update(MULTICAST_OFF)
    out = str(tmp_path / "ddp.pt")
    torch.multiprocessing.spawn(_worker, args=(2, 29517 + deterministic, deterministic, out), nprocs=2)
    torch.backends.cudnn.allow_tf32 = not deterministic
    single = _train(_block(0).cuda(0), _data(3, 4), "cuda:0")
    torch.backends.cudnn.allow_tf32 = True
    tol = 1e-5 if deterministic else 2e-3  # DDP averages two half-batch gradients: summation order differs
    for a, b in zip(torch.load(out), single):
        torch.testing.assert_close(a, b, rtol=tol, atol=tol)


@two_gpus
def test_op_on_second_device_leaves_current_device():
    torch.cuda.set_device(0)
    x = torch.rand(2, 4, 3, 5, 6, device="cuda:1")
    w = torch.randn(4, 3, 3, 3, 3, device="cuda:1")
    s1 = torch.cuda.Stream(device="cuda:1")
    with torch.cuda.stream(s1):
        y = cutlass_convt3d.conv_transpose3d(x, w, stride=2)
    s1.synchronize()
    assert torch.cuda.current_device() == 0 and y.device == torch.device("cuda:1")
    ref = torch.nn.functional.conv_transpose3d(x.double(), w.double(), stride=2)
    torch.testing.assert_close(y.double(), ref, rtol=2e-3, atol=2e-3)
